"""Posts and their versions: ingest of parsed pages, deletion marks, and the engine's view of posts.

Every write is idempotent: ingesting the same bodies twice changes nothing. Each account's
posts are written in one transaction, so a crash mid-run leaves every account either fully
captured or untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditor.archive import models
from auditor.archive.accounts import Authors, account_row
from auditor.archive.captures import append_captures
from auditor.archive.database import Database
from auditor.records import Page, Post, PostView, RawBody


@dataclass(frozen=True)
class IngestCounts:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    deleted: int = 0  # archived posts the platform reported gone (kept, marked)

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(
            self.fetched + other.fetched,
            self.new + other.new,
            self.updated + other.updated,
            self.deleted + other.deleted,
        )


class PostsArchive(Database):
    def ingest(
        self,
        platform: str,
        handle: str,
        pages: Sequence[Page],
        now: datetime,
        source: str,
        profile: str | None = None,
        bodies: Sequence[RawBody] = (),
        deletions_checked: bool = False,
    ) -> IngestCounts:
        """Store one account's bodies and pages in one transaction; returns what changed."""
        counts = IngestCounts()
        with self.session() as session, session.begin():
            account = account_row(session, platform, handle)
            everything = list(bodies) + [p.source for p in pages if p.source is not None and p.source not in bodies]
            captured = append_captures(session, account, everything, now, source)
            for page in pages:
                if page.account_id and not account.platform_id:
                    account.platform_id = page.account_id
                capture_id = captured.get(id(page.source)) if page.source is not None else None
                counts += _ingest_page(session, account, page, now, source, capture_id)
                if page.newest_id and _newer(page.newest_id, account.cursor):
                    account.cursor = page.newest_id
            if profile is not None:
                account.profile = profile
            account.last_success_at = now
            account.last_error = account.last_error_kind = account.last_error_advice = None
            if deletions_checked:
                account.deletions_checked_at = now
        return counts

    def recent_post_ids(self, platform: str, handle: str, since: datetime) -> list[str]:
        """Ids of posts this account wrote since `since` that are not known to be deleted."""
        with self.session() as session:
            account = account_row(session, platform, handle)
            query = select(models.Post.platform_id).where(
                models.Post.account_id == account.id,
                models.Post.created_at >= since,
                models.Post.deleted_at.is_(None),
                (models.Post.author_id == account.platform_id)
                if account.platform_id
                else models.Post.author_id.is_(None),
            )
            return list(session.scalars(query))

    def mark_deleted(self, platform: str, platform_id: str, now: datetime) -> bool:
        with self.session() as session, session.begin():
            row = session.scalar(select(models.Post).filter_by(platform=platform, platform_id=platform_id))
            if row is None or row.deleted_at is not None:
                return False
            row.deleted_at = now
            return True

    def post_views(self, until: datetime | None = None) -> list[PostView]:
        """Every archived post, resolved to the configured accounts, oldest first."""
        with self.session() as session:
            authors = Authors.load(session)
            query = select(models.Post).order_by(models.Post.created_at, models.Post.id)
            if until is not None:
                query = query.where(models.Post.created_at <= until)
            views = []
            for row in session.scalars(query):
                author = authors.of(row.platform, row.author_id, row.author_handle)
                views.append(
                    PostView(
                        platform=row.platform,
                        platform_id=row.platform_id,
                        feed_account=row.account.handle,
                        author_id=row.author_id,
                        author_handle=row.author_handle,
                        author_account=author.handle if author else None,
                        councillor=author.councillor if author else None,
                        kind=row.kind,  # type: ignore[arg-type]  # written from a PostKind
                        text=row.text,
                        created_at=row.created_at,
                        url=row.url,
                        parent_id=row.parent_id,
                        conversation_id=row.conversation_id,
                        deleted_at=row.deleted_at,
                    )
                )
            return views

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            return {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (models.Post, models.PostVersion, models.Finding, models.OutboxMessage)
            }


def _ingest_page(
    session: Session, account: models.Account, page: Page, now: datetime, source: str, capture_id: int | None
) -> IngestCounts:
    ids = [p.platform_id for p in page.posts]
    query = select(models.Post).where(models.Post.platform == account.platform, models.Post.platform_id.in_(ids))
    existing = {row.platform_id: row for row in session.scalars(query)} if ids else {}
    new = updated = 0
    for post in page.posts:
        row = existing.get(post.platform_id)
        if row is None:
            row = models.Post(
                platform=post.platform,
                platform_id=post.platform_id,
                account_id=account.id,
                author_id=post.author_id,
                author_handle=post.author_handle,
                author_name=post.author_name,
                kind=post.kind,
                parent_id=post.parent_id,
                conversation_id=post.conversation_id,
                created_at=post.created_at,
                updated_at=post.updated_at,
                text=post.text,
                url=post.url,
                content_hash=post.content_hash,
                raw=post.raw,
                source=source,
                first_seen=now,
                last_seen=now,
            )
            session.add(row)
            session.flush()
            session.add(_version(row.id, post, now, capture_id))
            existing[post.platform_id] = row
            new += 1
            continue
        if row.last_seen < now:
            row.last_seen = now
        if post.content_hash != row.content_hash:
            known = session.scalar(select(models.PostVersion).filter_by(post_id=row.id, content_hash=post.content_hash))
            if known is None:
                session.add(_version(row.id, post, now, capture_id))
            row.text, row.content_hash, row.raw = post.text, post.content_hash, post.raw
            row.updated_at = post.updated_at or row.updated_at
            updated += 1
        # Later bodies may know more than earlier ones (an author's handle, a parent).
        row.author_id = row.author_id or post.author_id
        row.author_handle = row.author_handle or post.author_handle
        row.author_name = row.author_name or post.author_name
        row.parent_id = row.parent_id or post.parent_id
        row.conversation_id = row.conversation_id or post.conversation_id
    deleted = 0
    if page.gone_ids:
        for row in session.scalars(
            select(models.Post).where(
                models.Post.platform == account.platform,
                models.Post.platform_id.in_(page.gone_ids),
                models.Post.deleted_at.is_(None),
            )
        ):
            row.deleted_at = now  # never removed: the archive keeps what was captured
            deleted += 1
    return IngestCounts(len(page.posts), new, updated, deleted)


def _newer(candidate: str, current: str | None) -> bool:
    """Compare platform ids: numeric ids by value (snowflakes), others as text."""
    if current is None:
        return True
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current)
    return candidate > current


def _version(post_id: int, post: Post, seen_at: datetime, capture_id: int | None) -> models.PostVersion:
    """A post's text as seen now, pointing at the body it came from."""
    return models.PostVersion(
        post_id=post_id,
        text=post.text,
        content_hash=post.content_hash,
        seen_at=seen_at,
        raw=post.raw,
        capture_id=capture_id,
    )
