"""The retention policy: what `auditor prune` removes, and what it never does.

Raw bodies past their period lose their text but keep their hash and place in the chain, so
`auditor verify` still proves the rest. Replies and comments by people who are not
councillors are deleted past their period. Councillors' own posts are kept unless the
operator sets a period for them too. Findings and decisions are never pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from auditor.archive import models
from auditor.archive.accounts import Authors
from auditor.archive.store import Store
from auditor.config.settings import Retention


@dataclass(frozen=True)
class PrunePlan:
    raw_bodies: int
    others_comments: int
    councillor_posts: int

    @property
    def empty(self) -> bool:
        return not (self.raw_bodies or self.others_comments or self.councillor_posts)


def prune(store: Store, policy: Retention, now: datetime, *, dry_run: bool) -> PrunePlan:
    with store.session() as session, session.begin():
        authors = Authors.load(session)
        bodies: list[int] = []
        if policy.raw_bodies_days:
            cutoff = now - timedelta(days=policy.raw_bodies_days)
            query = select(models.Capture.id).where(
                models.Capture.received_at < cutoff, models.Capture.body.is_not(None)
            )
            bodies = list(session.scalars(query))
        others: list[int] = []
        own: list[int] = []
        periods = [d for d in (policy.others_comments_days, policy.councillor_posts_days) if d]
        if periods:
            candidates = select(
                models.Post.id,
                models.Post.platform,
                models.Post.author_id,
                models.Post.author_handle,
                models.Post.kind,
                models.Post.created_at,
            ).where(models.Post.created_at < now - timedelta(days=min(periods)))
            for post_id, platform, author_id, author_handle, kind, created in session.execute(candidates):
                author = authors.of(platform, author_id, author_handle)
                mine = author is not None and author.councillor is not None
                if not mine and (author is not None or kind not in ("reply", "comment")):
                    continue  # the City's own posts, and anything that is not a resident's reply, stay
                days = policy.councillor_posts_days if mine else policy.others_comments_days
                if days and created < now - timedelta(days=days):
                    (own if mine else others).append(post_id)
        plan = PrunePlan(len(bodies), len(others), len(own))
        if dry_run or plan.empty:
            session.rollback()
            return plan
        if bodies:
            session.execute(
                update(models.Capture).where(models.Capture.id.in_(bodies)).values(body=None, pruned_at=now)
            )
        gone = others + own
        for chunk in range(0, len(gone), 500):
            ids = gone[chunk : chunk + 500]
            session.execute(delete(models.PostVersion).where(models.PostVersion.post_id.in_(ids)))
            session.execute(delete(models.Post).where(models.Post.id.in_(ids)))
        return plan
