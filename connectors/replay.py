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

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from auditor.records import AccountRef, Page, RawBody
from connectors.base import Pull
from connectors.bluesky_parse import bluesky_profile, parse_bluesky_page
from connectors.errors import ConnectorError, MalformedBody
from connectors.facebook_parse import parse_facebook_page
from connectors.mastodon_parse import mastodon_profile, parse_mastodon_page
from connectors.x_parse import parse_x_page, x_profile
from connectors.youtube_parse import parse_youtube_page, youtube_profile

Parser = Callable[[Any, AccountRef], Page]  # the decoded body (an object; a Mastodon list is an array)
PARSERS: dict[str, Parser] = {
    "x": parse_x_page,
    "facebook": parse_facebook_page,
    "youtube": parse_youtube_page,
    "bluesky": parse_bluesky_page,
    "mastodon": parse_mastodon_page,
}


def _x_profile(body: dict[str, Any], account: AccountRef) -> str | None:
    user = x_profile(body, account)
    return user.get("description") if user else None


PROFILES: dict[str, Callable[[Any, AccountRef], str | None]] = {
    "x": _x_profile,
    "youtube": youtube_profile,
    "bluesky": bluesky_profile,
    "mastodon": mastodon_profile,
}


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
        parser = PARSERS.get(self.platform)
        if parser is None:
            raise ConnectorError(self.platform, account.handle, "unsupported",
                                 f"no replay parser for {self.platform} in this version")
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
                text = path.read_text(encoding="utf-8")
                body = json.loads(text)
            except (ValueError, UnicodeDecodeError) as exc:
                raise MalformedBody(self.platform, account.handle, "malformed",
                                    f"{path.name} is not JSON ({exc}); fix or remove the file") from None
            raw = RawBody(f"REPLAY {path.relative_to(self.directory).as_posix()}", text)
            bodies.append(raw)
            ref = AccountRef(account.platform, account.handle, known_id)
            page = replace(parser(body, ref), source=raw)
            known_id = known_id or page.account_id
            pages.append(page)
            finder = PROFILES.get(self.platform)
            profile = (finder(body, ref) if finder else None) or profile
        return Pull(pages, profile, len(files), bodies)
