"""Posts and their versions: ingest of parsed pages, deletion marks, and the engine's view of posts.

Every write is idempotent: ingesting the same bodies twice changes nothing. Each account's
posts are written in one transaction, so a crash mid-run leaves every account either fully
captured or untouched.

Ingest is set-based: a page's posts are looked up with one query of narrow columns, the new
ones inserted with one multi-row statement, and only what changed is updated. No ORM object is
made per post: an archive of millions of posts is pulled every half hour.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from auditor.archive import models
from auditor.archive.accounts import Authors, account_row
from auditor.archive.captures import append_captures
from auditor.archive.database import Database
from auditor.records import Page, Post, PostView, RawBody

POSTS = cast(Table, models.Post.__table__)
VERSIONS = cast(Table, models.PostVersion.__table__)
CHUNK = 500  # ids per IN list: well under every driver's parameter limit
READ_CHUNK = 5000  # rows fetched at a time when reading the archive
ANALYZE_AFTER = 500  # new posts in one ingest that may leave PostgreSQL's statistics behind


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
        if counts.new >= ANALYZE_AFTER and self.engine.dialect.name == "postgresql":
            self._refresh_statistics(counts.new)
        return counts

    def _refresh_statistics(self, added: int) -> None:
        """PostgreSQL plans from statistics that autovacuum refreshes only later: a first large
        ingest left without them looks posts up through the parent index (every entry of a
        platform scanned per page). Analyzed while the table is young compared to what came in."""
        with self.engine.connect() as connection:
            rows = connection.execute(sql("SELECT reltuples FROM pg_class WHERE oid = 'posts'::regclass")).scalar()
            if rows is None or rows < 0 or added > 0.2 * rows:
                connection.execute(sql("ANALYZE posts"))
                connection.execute(sql("ANALYZE post_versions"))
                connection.commit()

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
        return list(self.iter_post_views(until=until))

    def iter_post_views(self, until: datetime | None = None) -> Iterator[PostView]:
        """`post_views`, streamed: narrow columns read in chunks, never the stored bodies."""
        query = _VIEW_COLUMNS.order_by(POSTS.c.created_at, POSTS.c.id)
        if until is not None:
            query = query.where(POSTS.c.created_at <= until)
        with self.session() as session:
            views = _Views(session)
            result = session.execute(query.execution_options(yield_per=READ_CHUNK))
            for chunk in result.partitions():
                yield from map(views.view, chunk)

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            return {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (models.Post, models.PostVersion, models.Finding, models.OutboxMessage)
            }


_VIEW_COLUMNS = select(
    POSTS.c.platform, POSTS.c.platform_id, POSTS.c.account_id, POSTS.c.author_id, POSTS.c.author_handle,
    POSTS.c.kind, POSTS.c.text, POSTS.c.created_at, POSTS.c.url, POSTS.c.parent_id, POSTS.c.conversation_id,
    POSTS.c.deleted_at,
)


class _Views:
    """Rows of `_VIEW_COLUMNS` to `PostView`s. Small repeated strings (platforms, kinds, residents'
    handles) are shared, not copied per post: a whole archive is held in memory for the audit."""

    def __init__(self, session: Session):
        accounts = list(session.scalars(select(models.Account)))
        self._feeds = {a.id: a.handle for a in accounts}
        self._authors = Authors(accounts)
        self._resolved: dict[tuple[str, str | None, str | None], tuple[str | None, str | None]] = {}

    def _author(self, platform: str, author_id: str | None, author_handle: str | None) -> tuple[str | None, str | None]:
        key = (platform, author_id, author_handle)
        found = self._resolved.get(key)
        if found is None:
            author = self._authors.of(platform, author_id, author_handle)
            found = self._resolved[key] = (author.handle, author.councillor) if author else (None, None)
        return found

    def view(self, row: Any) -> PostView:
        (platform, platform_id, account_id, author_id, author_handle, kind, text, created_at, url, parent_id,
         conversation_id, deleted_at) = row
        author_account, councillor = self._author(platform, author_id, author_handle)
        return PostView(
            platform=sys.intern(platform),
            platform_id=platform_id,
            feed_account=self._feeds[account_id],
            author_id=sys.intern(author_id) if author_id else author_id,
            author_handle=sys.intern(author_handle) if author_handle else author_handle,
            author_account=author_account,
            councillor=councillor,
            kind=sys.intern(kind),  # type: ignore[arg-type]  # written from a PostKind
            text=text,
            created_at=created_at,
            url=url,
            parent_id=parent_id,
            conversation_id=conversation_id,
            deleted_at=deleted_at,
        )


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# What a later body may fill in that an earlier one left out (an author's handle, a parent).
_ENRICHED = ("author_id", "author_handle", "author_name", "parent_id", "conversation_id")


def _ingest_page(
    session: Session, account: models.Account, page: Page, now: datetime, source: str, capture_id: int | None
) -> IngestCounts:
    """One page: a post that appears twice in it is handled as a second page, after the first."""
    counts, rest = IngestCounts(), list(page.posts)
    while rest:
        batch: dict[str, Post] = {}
        later: list[Post] = []
        for post in rest:
            if post.platform_id in batch:
                later.append(post)
            else:
                batch[post.platform_id] = post
        counts += _ingest_batch(session, account, list(batch.values()), now, source, capture_id)
        rest = later
    deleted = _mark_gone(session, account.platform, page.gone_ids, now) if page.gone_ids else 0
    return IngestCounts(counts.fetched, counts.new, counts.updated, deleted)


def _ingest_batch(
    session: Session, account: models.Account, posts: list[Post], now: datetime, source: str, capture_id: int | None
) -> IngestCounts:
    """Posts with distinct ids: look them up, insert the new, update what changed."""
    if not posts:
        return IngestCounts()
    existing: dict[str, Any] = {}
    for ids in _chunks([p.platform_id for p in posts]):
        query = select(POSTS.c.id, POSTS.c.platform_id, POSTS.c.content_hash, POSTS.c.updated_at,
                       *(POSTS.c[name] for name in _ENRICHED)).where(
            POSTS.c.platform == account.platform, POSTS.c.platform_id.in_(ids))
        existing.update((row.platform_id, row) for row in session.execute(query))
    hashes = {p.platform_id: p.content_hash for p in posts}  # each hash computed once
    fresh = [p for p in posts if p.platform_id not in existing]
    new_ids: dict[str, int] = {}
    for chunk in _chunks(fresh):
        rows = [
            {
                "platform": p.platform, "platform_id": p.platform_id, "account_id": account.id,
                "author_id": p.author_id, "author_handle": p.author_handle, "author_name": p.author_name,
                "kind": p.kind, "parent_id": p.parent_id, "conversation_id": p.conversation_id,
                "created_at": p.created_at, "updated_at": p.updated_at, "text": p.text, "url": p.url,
                "content_hash": hashes[p.platform_id], "raw": p.raw, "source": source,
                "first_seen": now, "last_seen": now,
            }
            for p in chunk
        ]
        returned = session.execute(insert(POSTS).returning(POSTS.c.id, POSTS.c.platform_id), rows)
        new_ids.update((pid, row_id) for row_id, pid in returned)
    versions = [(new_ids[p.platform_id], p) for p in fresh]

    edited: list[dict[str, Any]] = []
    enriched: list[dict[str, Any]] = []
    seen: list[int] = []
    for post in posts:
        row = existing.get(post.platform_id)
        if row is None:
            continue
        seen.append(row.id)
        fill = {name: getattr(row, name) or getattr(post, name) for name in _ENRICHED}
        if hashes[post.platform_id] != row.content_hash:
            versions.append((row.id, post))
            edited.append({"b_id": row.id, "text": post.text, "content_hash": hashes[post.platform_id],
                           "raw": post.raw, "updated_at": post.updated_at or row.updated_at, **fill})
        elif any(fill[name] != getattr(row, name) for name in _ENRICHED):
            enriched.append({"b_id": row.id, **fill})
    for changes in (edited, enriched):
        if changes:
            names = [name for name in changes[0] if name != "b_id"]
            statement = update(POSTS).where(POSTS.c.id == bindparam("b_id")).values(
                {name: bindparam(name) for name in names})
            session.connection().execute(statement, changes)
    for ids in _chunks(seen):
        # Set-based: one statement per page, and only rows not already stamped by this run.
        session.execute(update(POSTS).where(POSTS.c.id.in_(ids), POSTS.c.last_seen < now).values(last_seen=now))
    _add_versions(session, versions, set(new_ids.values()), hashes, now, capture_id)
    return IngestCounts(len(posts), len(fresh), len(edited), 0)


def _add_versions(session: Session, versions: list[tuple[int, Post]], fresh: set[int], hashes: dict[str, str],
                  now: datetime, capture_id: int | None) -> None:
    """Each post's text as seen now, pointing at the body it came from, unless that text is held
    (`fresh`: posts inserted just now, which have no version yet)."""
    if not versions:
        return
    edited = [post_id for post_id, post in versions if post_id not in fresh]
    held: set[tuple[int, str]] = set()
    for ids in _chunks(edited):
        held.update(session.execute(
            select(VERSIONS.c.post_id, VERSIONS.c.content_hash).where(VERSIONS.c.post_id.in_(ids))).all())
    rows = [
        {"post_id": post_id, "text": post.text, "content_hash": hashes[post.platform_id], "seen_at": now,
         "raw": post.raw, "capture_id": capture_id}
        for post_id, post in versions
        if (post_id, hashes[post.platform_id]) not in held
    ]
    if rows:
        session.execute(insert(VERSIONS), rows)


def _mark_gone(session: Session, platform: str, gone_ids: Sequence[str], now: datetime) -> int:
    """Posts the platform says no longer exist: marked, never removed (the archive keeps them)."""
    deleted = 0
    for ids in _chunks(list(gone_ids)):
        result = session.execute(
            update(POSTS)
            .where(POSTS.c.platform == platform, POSTS.c.platform_id.in_(ids), POSTS.c.deleted_at.is_(None))
            .values(deleted_at=now)
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    return deleted


def _newer(candidate: str, current: str | None) -> bool:
    """Compare platform ids: numeric ids by value (snowflakes), others as text."""
    if current is None:
        return True
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current)
    return candidate > current
