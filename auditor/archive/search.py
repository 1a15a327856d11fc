"""Searching the archive: every version of every post, deleted ones included.

Matching folds both sides like the rules do (case, accents, look-alike letters, zero-width
characters), so "cafe" finds "café" and an emoji finds itself; hits are quoted from the
original text. On SQLite with FTS5, a trigram index of the folded text (kept up to date at
each search, rebuilt if missing: it is a cache, not data) narrows the candidates first;
elsewhere, and for queries under three characters, every version is scanned in Python, which
keeps up with a council's archive (about a second per 100,000 versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from auditor.archive import models
from auditor.archive.accounts import Authors
from auditor.archive.store import Store
from auditor.engine.text import excerpt, fold


@dataclass(frozen=True)
class Hit:
    platform: str
    post_id: str
    account: str  # the configured account it was captured from
    councillor: str | None
    author: str | None
    created_at: datetime
    url: str | None
    version: int
    versions: int
    deleted_at: datetime | None
    snippet: str


def search(
    store: Store,
    query: str,
    *,
    platform: str | None = None,
    councillor: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> list[Hit]:
    needle = fold(query.strip()).text
    if not needle.strip():
        return []
    hits: list[Hit] = []
    with store.session() as session:
        authors = Authors.load(session)
        statement = (
            select(models.Post)
            .options(selectinload(models.Post.versions))
            .order_by(models.Post.created_at.desc(), models.Post.id)
        )
        if platform:
            statement = statement.where(models.Post.platform == platform)
        if start:
            statement = statement.where(models.Post.created_at >= start)
        if end:
            statement = statement.where(models.Post.created_at < end)
        candidates = _indexed_candidates(store, needle)
        if candidates is not None:
            statement = statement.where(
                models.Post.id.in_(select(models.PostVersion.post_id).where(models.PostVersion.id.in_(candidates)))
            )
        for post in session.scalars(statement):
            author = authors.of(post.platform, post.author_id, post.author_handle)
            if councillor and (author is None or (author.councillor or "").lower() != councillor.lower()):
                continue
            for number, version in reversed(list(enumerate(post.versions, start=1))):
                folded = fold(version.text)
                at = folded.text.find(needle)
                if at < 0:
                    continue
                a, b = folded.span(at, at + len(needle))
                hits.append(
                    Hit(
                        post.platform,
                        post.platform_id,
                        post.account.handle,
                        author.councillor if author else None,
                        post.author_handle,
                        post.created_at,
                        post.url,
                        number,
                        len(post.versions),
                        post.deleted_at,
                        excerpt(version.text, a, b),
                    )
                )
                break  # the newest version that matches is enough to list the post
            if len(hits) >= limit:
                break
    return hits


def _indexed_candidates(store: Store, needle: str) -> list[int] | None:
    """Version ids whose folded text contains `needle`, from the FTS5 trigram index; None when
    there is no such index here (not SQLite, no FTS5 or trigram) or the query is too short."""
    if store.engine.dialect.name != "sqlite" or len(needle) < 3:
        return None
    with store.engine.begin() as conn:
        try:
            conn.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS post_search USING fts5(body, tokenize='trigram')")
        except OperationalError:
            return None
        conn.exec_driver_sql("DELETE FROM post_search WHERE rowid NOT IN (SELECT id FROM post_versions)")
        last = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM post_search").scalar()
        fresh = conn.exec_driver_sql("SELECT id, text FROM post_versions WHERE id > ?", (last,)).all()
        if fresh:
            conn.exec_driver_sql(
                "INSERT INTO post_search(rowid, body) VALUES (?, ?)",
                [(version_id, fold(text).text) for version_id, text in fresh],
            )
        phrase = '"' + needle.replace('"', '""') + '"'
        return [
            row[0] for row in conn.exec_driver_sql("SELECT rowid FROM post_search WHERE post_search MATCH ?", (phrase,))
        ]
