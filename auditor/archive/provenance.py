"""Each stored post version beside the raw body it came from, for `verify` to re-derive its text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from auditor.archive import models
from auditor.archive.database import Database
from auditor.records import content_hash


@dataclass(frozen=True)
class VersionSource:
    version_id: int
    platform: str
    post_id: str  # the platform's id
    text: str  # the version's stored text
    capture_seq: int
    capture_source: str  # replay | live | import
    body: str  # the capture's raw body (versions whose body was pruned are not listed)
    handle: str  # the account whose capture it is
    account_platform_id: str | None


def versions_with_bodies(database: Database) -> Iterator[VersionSource]:
    """Every post version whose capture still holds its body, in capture order."""
    with database.session() as session:
        rows = session.execute(
            select(models.PostVersion.id, models.Post.platform, models.Post.platform_id, models.PostVersion.text,
                   models.Capture.seq, models.Capture.source, models.Capture.body, models.Account.handle,
                   models.Account.platform_id)
            .join(models.Post, models.PostVersion.post_id == models.Post.id)
            .join(models.Capture, models.PostVersion.capture_id == models.Capture.id)
            .join(models.Account, models.Capture.account_id == models.Account.id)
            .where(models.Capture.body.is_not(None))
            .order_by(models.Capture.seq, models.PostVersion.id)
        )
        for vid, platform, pid, text, seq, source, body, handle, account_id in rows:
            yield VersionSource(vid, platform, pid, text, seq, source, str(body), handle, account_id)


def posts_unlike_their_versions(database: Database) -> list[str]:
    """Posts whose current text (or hash) is not the text of their newest version: the post row
    was edited without a version, which no capture explains."""
    with database.session() as session:
        newest = (select(models.PostVersion.post_id, func.max(models.PostVersion.id).label("vid"))
                  .group_by(models.PostVersion.post_id).subquery())
        rows = session.execute(
            select(models.Post.platform, models.Post.platform_id, models.Post.text, models.Post.content_hash,
                   models.PostVersion.text, models.PostVersion.content_hash)
            .join(newest, newest.c.post_id == models.Post.id)
            .join(models.PostVersion, models.PostVersion.id == newest.c.vid)
        )
        return [f"{platform} post {pid}: its current text is not the text of its newest version"
                for platform, pid, text, digest, vtext, vdigest in rows
                if text != vtext or digest != vdigest or content_hash(text) != digest]
