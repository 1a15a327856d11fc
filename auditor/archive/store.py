"""The archive's one entry point: `Store(url)` opens it, each concern's methods come from its module.

    accounts.py   configured accounts, and who wrote a post
    posts.py      ingest, versions, deletion marks, the engine's view of posts
    captures.py   raw bodies in the hash chain, and checking it
    runs.py       runs and each account's part in them
    findings.py   findings and decisions
    outbox.py     mail queued with its cause, and its delivery state
Search, export and retention are functions over a `Store` in their own modules. Everything a
`Store` method returns is a plain record of `auditor.records`, never an ORM row.
"""

from __future__ import annotations

from auditor.archive.accounts import AccountsArchive
from auditor.archive.captures import CapturesArchive
from auditor.archive.findings import FindingsArchive
from auditor.archive.outbox import OutboxArchive
from auditor.archive.posts import IngestCounts, PostsArchive
from auditor.archive.runs import RunsArchive

__all__ = ["IngestCounts", "Store"]


class Store(AccountsArchive, PostsArchive, CapturesArchive, RunsArchive, FindingsArchive, OutboxArchive):
    """An open archive (SQLite file or PostgreSQL), migrated to the current schema on opening."""
