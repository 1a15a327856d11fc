"""The archive's one entry point: `Store(url)` opens it, each concern's methods come from its module.

    accounts.py   configured accounts, and who wrote a post
    posts.py      ingest, versions, deletion marks, the engine's view of posts
    captures.py   raw bodies in the hash chain, and checking it
    runs.py       runs and each account's part in them
    findings.py   findings and decisions
    outbox.py     mail queued with its cause, and its delivery state
    users.py      the web app's users, API tokens and sign-in attempts
    audit_log.py  the web app's hash-chained audit log
    browse.py     the web app's paged reads: the findings queue, a post with its thread
Search, export and retention are functions over a `Store` in their own modules. Everything a
`Store` method returns is a plain record of `auditor.records`, never an ORM row.
"""

from __future__ import annotations

from auditor.archive.accounts import AccountsArchive
from auditor.archive.audit_log import AuditLogArchive
from auditor.archive.browse import BrowseArchive
from auditor.archive.captures import CapturesArchive
from auditor.archive.findings import FindingsArchive
from auditor.archive.outbox import OutboxArchive
from auditor.archive.posts import IngestCounts, PostsArchive
from auditor.archive.runs import RunsArchive
from auditor.archive.users import UsersArchive

__all__ = ["IngestCounts", "Store"]


class Store(AccountsArchive, PostsArchive, CapturesArchive, RunsArchive, FindingsArchive, OutboxArchive,
            UsersArchive, AuditLogArchive, BrowseArchive):
    """An open archive (SQLite file or PostgreSQL), migrated to the current schema on opening."""
