"""Reading the archive a page at a time, for the web app: the findings queue, a post with its
versions and thread, an account's activity, and reopening a decided finding.

Every query here is bounded (LIMIT) or aggregated in the database, so a page costs the same on
an archive of a hundred posts or of a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from auditor.archive import convert, models
from auditor.archive.accounts import Authors
from auditor.archive.database import Database
from auditor.records import SEVERITIES, FindingsPage, PostDetail, StoredFinding, VersionRecord


@dataclass(frozen=True)
class FindingFilter:
    """The queue's filters; None is "any". Times bound the post's time (or, for account-level
    findings, when the finding was first found)."""

    status: str | None = None
    severity: str | None = None
    rule: str | None = None
    councillor: str | None = None
    platform: str | None = None
    start: datetime | None = None
    end: datetime | None = None  # exclusive


def _filtered(query: Select[models.Finding], f: FindingFilter, *, skip: str = "") -> Select[models.Finding]:
    F = models.Finding
    if f.status and skip != "status":
        query = query.where(F.status == f.status)
    if f.severity and skip != "severity":
        query = query.where(F.severity == f.severity)
    if f.rule:
        query = query.where(F.rule == f.rule)
    if f.councillor:
        query = query.where(func.lower(F.councillor) == f.councillor.lower())
    if f.platform:
        query = query.where(F.platform == f.platform)
    when = func.coalesce(F.posted_at, F.first_found)
    if f.start:
        query = query.where(when >= f.start)
    if f.end:
        query = query.where(when < f.end)
    return query


def _counts(session: Session, f: FindingFilter, column: str) -> dict[str, int]:
    query = _filtered(select(models.Finding), f, skip=column).subquery()
    rows = session.execute(select(getattr(query.c, column), func.count()).group_by(getattr(query.c, column)))
    return {str(value): int(n) for value, n in rows}


class BrowseArchive(Database):
    def findings_page(self, f: FindingFilter, *, limit: int = 50, offset: int = 0) -> FindingsPage:
        """Open findings first, then the most severe, then the newest; one page of them."""
        F = models.Finding
        open_first = case((F.status == "open", 0), else_=1)
        rank = case({s: i for i, s in enumerate(SEVERITIES)}, value=F.severity, else_=-1)
        with self.session() as session:
            total = session.scalar(select(func.count()).select_from(_filtered(select(F), f).subquery())) or 0
            rows = session.scalars(
                _filtered(select(F), f)
                .order_by(open_first, rank.desc(), func.coalesce(F.posted_at, F.first_found).desc(), F.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            found = [convert.finding(r) for r in rows]
            wanted = {(r.platform, r.post_id) for r in found if r.post_id}
            texts: dict[int, str] = {}
            if wanted:
                posts = session.execute(
                    select(models.Post.platform, models.Post.platform_id, models.Post.text).where(
                        # Both columns, so the (platform, platform_id) unique index answers it.
                        models.Post.platform.in_({p for p, _ in wanted}),
                        models.Post.platform_id.in_([pid for _, pid in wanted]),
                    )
                )
                by_key = {(p, pid): text for p, pid, text in posts}
                texts = {r.id: by_key.get((r.platform, r.post_id or ""), "") for r in found}
            return FindingsPage(
                found, int(total), _counts(session, f, "status"), _counts(session, f, "severity"), texts
            )

    def finding_choices(self) -> dict[str, list[str]]:
        """The values the queue's filters can take: rules, councillors, platforms, statuses."""
        F = models.Finding
        with self.session() as session:
            return {
                name: sorted(str(v) for v in session.scalars(select(column).distinct()) if v)
                for name, column in (("rule", F.rule), ("councillor", F.councillor), ("platform", F.platform),
                                     ("status", F.status))
            }

    def findings_about(self, *, councillor: str | None = None, platform: str | None = None,
                       post_id: str | None = None, limit: int = 200) -> list[StoredFinding]:
        F = models.Finding
        with self.session() as session:
            query = select(F).order_by(F.id.desc()).limit(limit)
            if councillor is not None:
                query = query.where(func.lower(F.councillor) == councillor.lower())
            if platform is not None:
                query = query.where(F.platform == platform)
            if post_id is not None:
                query = query.where(F.post_id == post_id)
            return [convert.finding(r) for r in session.scalars(query)]

    def post_detail(self, platform: str, platform_id: str) -> PostDetail | None:
        with self.session() as session:
            row = session.scalar(
                select(models.Post)
                .options(selectinload(models.Post.versions))
                .filter_by(platform=platform, platform_id=platform_id)
            )
            if row is None:
                return None
            return _detail(session, Authors.load(session), row, with_versions=True)

    def thread(
        self, platform: str, platform_id: str, *, limit: int = 200
    ) -> tuple[PostDetail | None, list[PostDetail]]:
        """The post this one answers (if archived) and the replies to it, oldest first."""
        with self.session() as session:
            authors = Authors.load(session)
            row = session.scalar(select(models.Post).filter_by(platform=platform, platform_id=platform_id))
            if row is None:
                return None, []
            parent = None
            if row.parent_id:
                up = session.scalar(select(models.Post).filter_by(platform=platform, platform_id=row.parent_id))
                parent = _detail(session, authors, up) if up is not None else None
            replies = session.scalars(
                select(models.Post)
                .where(models.Post.platform == platform, models.Post.parent_id == platform_id)
                .order_by(models.Post.created_at, models.Post.id)
                .limit(limit)
            )
            return parent, [_detail(session, authors, r) for r in replies]

    def account_activity(self) -> dict[tuple[str, str], tuple[int, datetime | None]]:
        """(platform, handle) -> (posts the account wrote, when it last posted)."""
        out: dict[tuple[str, str], tuple[int, datetime | None]] = {}
        with self.session() as session:
            for account in session.scalars(select(models.Account)):
                P = models.Post
                by_it = [func.lower(P.author_handle) == account.handle_key]
                if account.platform_id:
                    by_it.append(P.author_id == account.platform_id)
                n, last = session.execute(
                    select(func.count(), func.max(P.created_at)).where(P.platform == account.platform, or_(*by_it))
                ).one()
                out[(account.platform, account.handle)] = (int(n), last)  # max() keeps the column's type: UTC
        return out

    def reopen(self, finding_id: int, note: str, by: str, now: datetime) -> StoredFinding:
        """Open a decided finding again; the history keeps every earlier decision."""
        with self.session() as session, session.begin():
            finding = session.get(models.Finding, finding_id)
            if finding is None:
                raise KeyError(f"no finding #{finding_id}")
            post = None
            if finding.post_id is not None:
                post = session.scalar(
                    select(models.Post).filter_by(platform=finding.platform, platform_id=finding.post_id)
                )
            session.add(models.Decision(finding_id=finding.id, action="reopened", note=note, by=by, at=now,
                                        post_hash=post.content_hash if post else None))
            finding.status = "open"
            return convert.finding(finding)


def _detail(session: Session, authors: Authors, row: models.Post, *, with_versions: bool = False) -> PostDetail:
    author = authors.of(row.platform, row.author_id, row.author_handle)
    versions: tuple[VersionRecord, ...] = ()
    if with_versions:
        ids = [v.capture_id for v in row.versions if v.capture_id is not None]
        captures = {c.id: c for c in session.scalars(select(models.Capture).where(models.Capture.id.in_(ids)))} \
            if ids else {}
        items = []
        for number, v in enumerate(row.versions, start=1):
            c = captures.get(v.capture_id) if v.capture_id is not None else None
            items.append(VersionRecord(
                number, v.text, v.content_hash, v.seen_at,
                c.seq if c else None, c.body_sha256 if c else None, c.received_at if c else None,
                c.request if c else None, c.chain_hash if c else None,
            ))
        versions = tuple(items)
    return PostDetail(
        platform=row.platform, platform_id=row.platform_id, kind=row.kind, text=row.text, url=row.url,
        created_at=row.created_at, first_seen=row.first_seen, last_seen=row.last_seen, deleted_at=row.deleted_at,
        content_hash=row.content_hash, feed_account=row.account.handle, author_handle=row.author_handle,
        author_name=row.author_name, author_account=author.handle if author else None,
        councillor=author.councillor if author else None, parent_id=row.parent_id,
        conversation_id=row.conversation_id, source=row.source, versions=versions,
    )
