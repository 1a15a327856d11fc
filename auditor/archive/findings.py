"""Findings and reviewers' decisions on them.

A finding is stored once per (rule, platform, account, subject); auditing again refreshes it.
Decisions are a history: a new one never overwrites an earlier one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from auditor.archive import convert, models
from auditor.archive.database import Database
from auditor.archive.outbox import enqueue
from auditor.records import Decision, Finding, OutgoingMail, StoredFinding, StoredPost

FINDINGS = cast(Table, models.Finding.__table__)

# Given the findings just stored (each with its post, if any), the mail to queue with them.
NewFindingsMail = Callable[[list[tuple[StoredFinding, StoredPost | None]]], Iterable[OutgoingMail]]


class FindingsArchive(Database):
    def save_findings(
        self, findings: Sequence[Finding], now: datetime, on_new: NewFindingsMail | None = None
    ) -> list[StoredFinding]:
        """Insert findings not seen before; the mail `on_new` gives for them is queued in the same
        transaction, so an alert exists exactly when its finding does."""
        table = FINDINGS
        with self.session() as session, session.begin():
            # Keys and the few columns an audit may change, never whole rows: an archive holds
            # findings by the ten thousand and most are found again unchanged.
            existing = {
                (row.rule, row.platform, row.account, row.subject): row
                for row in session.execute(
                    select(table.c.id, table.c.rule, table.c.platform, table.c.account, table.c.subject,
                           table.c.severity, table.c.reason, table.c.evidence, table.c.status, table.c.last_found,
                           table.c.post_id)
                )
            }
            fresh: dict[tuple[str, str, str, str], Finding] = {}
            changed: list[dict[str, object]] = []
            again: list[int] = []
            for finding in findings:
                row = existing.get(finding.key)
                if row is None:
                    fresh.setdefault(finding.key, finding)
                elif (row.severity, row.reason, row.evidence) != (finding.severity, finding.reason, finding.evidence):
                    changed.append({"b_id": row.id, "severity": finding.severity, "reason": finding.reason,
                                    "evidence": finding.evidence, "last_found": max(row.last_found, now)})
                elif row.last_found < now:
                    again.append(row.id)
            if changed:
                session.connection().execute(
                    update(table).where(table.c.id == bindparam("b_id")).values(
                        severity=bindparam("severity"), reason=bindparam("reason"), evidence=bindparam("evidence"),
                        last_found=bindparam("last_found")),
                    changed,
                )
            for start in range(0, len(again), 500):
                session.execute(update(table).where(table.c.id.in_(again[start:start + 500])).values(last_found=now))
            new_rows = [
                {"rule": f.rule, "severity": f.severity, "clause": f.clause, "platform": f.platform,
                 "account": f.account, "subject": f.subject, "councillor": f.councillor, "post_id": f.post_id,
                 "url": f.url, "posted_at": f.posted_at, "evidence": f.evidence, "reason": f.reason,
                 "status": "open", "first_found": now, "last_found": now}
                for f in fresh.values()
            ]
            ids: dict[tuple[str, str, str, str], int] = {}
            if new_rows:
                returned = session.execute(
                    insert(table).returning(table.c.id, table.c.rule, table.c.platform, table.c.account,
                                            table.c.subject),
                    new_rows,
                )
                ids = {(rule, platform, account, subject): row_id
                       for row_id, rule, platform, account, subject in returned}
            found = {f.key for f in findings}
            dismissed = [row for key, row in existing.items() if row.status == "dismissed" and key in found]
            _reopen_edited(session, dismissed, now)
            stored = [_stored(ids[key], f, now) for key, f in fresh.items()]
            if on_new and stored:
                with_posts = []
                for record in stored:
                    post = _post(session, record.platform, record.post_id)
                    with_posts.append((record, convert.post(post) if post else None))
                for mail in on_new(with_posts):
                    enqueue(session, mail, now)
        return stored

    def decide(self, finding_id: int, action: str, note: str, by: str, now: datetime) -> StoredFinding:
        """Record a reviewer's decision; the finding's status becomes it. Earlier decisions stay."""
        with self.session() as session, session.begin():
            finding = session.get(models.Finding, finding_id)
            if finding is None:
                raise KeyError(f"no finding #{finding_id}")
            post = _post(session, finding.platform, finding.post_id)
            session.add(
                models.Decision(
                    finding_id=finding.id,
                    action=action,
                    note=note,
                    by=by,
                    at=now,
                    post_hash=post.content_hash if post else None,
                )
            )
            finding.status = action
            return convert.finding(finding)

    def decisions(self, finding_id: int | None = None) -> list[Decision]:
        """Decisions oldest first, so that a dict built from them keeps each finding's latest."""
        with self.session() as session:
            query = select(models.Decision).order_by(models.Decision.at, models.Decision.id)
            if finding_id is not None:
                query = query.where(models.Decision.finding_id == finding_id)
            return [convert.decision(d) for d in session.scalars(query)]

    def findings(self, since: datetime | None = None, until: datetime | None = None) -> list[StoredFinding]:
        with self.session() as session:
            query = select(models.Finding).order_by(models.Finding.id)
            if since is not None:
                query = query.where(models.Finding.first_found >= since)
            if until is not None:
                query = query.where(models.Finding.first_found <= until)
            return [convert.finding(f) for f in session.scalars(query)]

    def finding(self, finding_id: int) -> StoredFinding | None:
        with self.session() as session:
            row = session.get(models.Finding, finding_id)
            return convert.finding(row) if row else None

    def post(self, platform: str, platform_id: str) -> StoredPost | None:
        with self.session() as session:
            row = _post(session, platform, platform_id)
            return convert.post(row) if row else None


def _post(session: Session, platform: str, post_id: str | None) -> models.Post | None:
    if post_id is None:
        return None
    return session.scalar(select(models.Post).filter_by(platform=platform, platform_id=post_id))


def _stored(finding_id: int, f: Finding, now: datetime) -> StoredFinding:
    return StoredFinding(
        id=finding_id, rule=f.rule, severity=f.severity, clause=f.clause, platform=f.platform, account=f.account,
        subject=f.subject, councillor=f.councillor, post_id=f.post_id, url=f.url, posted_at=f.posted_at,
        evidence=f.evidence, reason=f.reason, status="open", first_found=now, last_found=now,
    )


def _reopen_edited(session: Session, rows: Iterable[Any], now: datetime) -> None:
    """A dismissed finding whose post was edited since is looked at again: reopened, with a note.
    `rows` are dismissed findings' (id, platform, post_id) rows."""
    for row in rows:
        last = session.scalar(
            select(models.Decision)
            .where(models.Decision.finding_id == row.id)
            .order_by(models.Decision.at.desc(), models.Decision.id.desc())
            .limit(1)
        )
        post = _post(session, row.platform, row.post_id)
        if last is not None and post is not None and last.post_hash and post.content_hash != last.post_hash:
            session.add(
                models.Decision(
                    finding_id=row.id,
                    action="reopened",
                    by="auditor",
                    at=now,
                    note="the post was edited after this finding was dismissed",
                    post_hash=post.content_hash,
                )
            )
            session.execute(update(FINDINGS).where(models.Finding.id == row.id).values(status="open"))
