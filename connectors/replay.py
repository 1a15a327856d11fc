"""Replay: recorded response bodies in place of the network, through the live parsers.

`DIR/<platform>/<handle>/*.json`, read in name order; each file is one body exactly as the
platform's API returned it. Used by the demo, the tests, and operators checking a config.

Formats, per platform (the bodies of the endpoints the live connectors read):
- x: X API v2 tweet lists (`data`, `includes`, `meta`), user timeline and mentions;
- facebook: Graph API lists (`data`, `paging`), with nested or separate comment lists;
- youtube: Data API v3 list bodies, told apart by `kind`: channels, playlistItems (the uploads),
  videos, commentThreads, comments;
- bluesky: AppView bodies: app.bsky.feed.getAuthorFeed (`feed`, `cursor`), getPostThread
  (`thread`), getPosts (`posts`), app.bsky.actor.getProfile;
- mastodon: REST bodies: an account's statuses (a JSON array), one status, a status context
  (`ancestors`, `descendants`), an account object (/accounts/lookup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from auditor.records import AccountRef, Page, RawBody
from connectors import registry
from connectors.base import Pull
from connectors.errors import ConnectorError, MalformedBody
from connectors.robust import decode_body


class ReplayConnector:
    def __init__(self, platform: str, directory: Path):
        self.platform = platform
        self.directory = directory

    def folder(self, account: AccountRef) -> Path:
        return self.directory / self.platform / account.handle

    def check(self, account: AccountRef) -> str:
        """The recorded bodies are there and parse; the id is the configured or recorded one."""
        pulled = self.pull(account, None)
        found = account.platform_id or next((p.account_id for p in pulled.pages if p.account_id), None)
        if not found:
            raise ConnectorError(self.platform, account.handle, "not-found",
                                 "the recorded bodies do not name this account's id; add `id:` to its configuration")
        return found

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        platform = registry.get(self.platform, account.handle)
        folder = self.folder(account)
        if not folder.is_dir():
            raise ConnectorError(self.platform, account.handle, "missing",
                                 f"no recorded bodies in {folder}: add them, or remove the account")
        pages: list[Page] = []
        profile: str | None = None
        known_id = account.platform_id
        files = sorted(folder.glob("*.json"))
        bodies: list[RawBody] = []
        for path in files:
            try:
                # Bytes as recorded: no newline translation, so the archived body hashes as the file does.
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedBody(self.platform, account.handle, "malformed",
                                    f"{path.name} is not UTF-8 JSON ({exc}); fix or remove the file") from None
            body = decode_body(text, self.platform, account.handle, path.name)
            raw = RawBody(f"REPLAY {path.relative_to(self.directory).as_posix()}", text)
            bodies.append(raw)
            ref = AccountRef(account.platform, account.handle, known_id)
            page = replace(platform.parse_page(body, ref), source=raw)
            known_id = known_id or page.account_id
            pages.append(page)
            profile = platform.profile(body, ref) or profile
        return Pull(pages, profile, len(files), bodies)
