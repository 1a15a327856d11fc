"""Searching the archive: every version of every post, deleted ones included.

Matching folds both sides like the rules do (case, accents, look-alike letters, zero-width
characters), so "cafe" finds "café" and an emoji finds itself. It scans in Python, which
works on every database and keeps up with a council's archive (about a second per 100,000
versions); the hits are quoted from the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auditor import models
from auditor.store import Store
from auditor.text import excerpt, fold


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
        authors = {(a.platform, a.platform_id): a for a in session.scalars(select(models.Account)) if a.platform_id}
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
        for post in session.scalars(statement):
            author = authors.get((post.platform, post.author_id))
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
