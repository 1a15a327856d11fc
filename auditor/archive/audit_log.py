"""The web app's audit log: who signed in, viewed, decided, searched and exported, and when.

Append-only and hash-chained like the captures: each entry's hash covers its own fields and the
hash of the entry before it, so editing, removing or reordering an entry is detected by
`check_audit_log`. Nothing here updates or deletes an entry.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import func, select

from auditor.archive import models
from auditor.archive.chain import GENESIS
from auditor.archive.database import Database
from auditor.records import AuditEntry, ChainReport


def entry_hash(seq: int, at: datetime, user: str, action: str, target: str, detail: str, prev_hash: str) -> str:
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [str(seq), stamp, user, action, target, detail, prev_hash]
    # Length-prefixed, as the capture chain: no two different entries serialise alike.
    return hashlib.sha256("".join(f"{len(f)}:{f}" for f in fields).encode("utf-8", "surrogatepass")).hexdigest()


def _entry(row: models.AuditLogEntry) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.user, row.action, row.target, row.detail, row.prev_hash, row.entry_hash)


class AuditLogArchive(Database):
    def log_event(self, user: str, action: str, target: str, detail: str, now: datetime) -> AuditEntry:
        """Append one entry at the end of the chain."""
        with self.session() as session, session.begin():
            # Lock the head: one writer extends the log at a time (the unique seq backs this up).
            head = session.execute(
                select(models.AuditLogEntry.seq, models.AuditLogEntry.entry_hash)
                .order_by(models.AuditLogEntry.seq.desc())
                .limit(1)
                .with_for_update()
            ).first()
            seq, prev = (head.seq + 1, head.entry_hash) if head else (1, GENESIS)
            # The stored time has microseconds at most: hash what will be read back.
            at = now.astimezone(UTC)
            row = models.AuditLogEntry(
                seq=seq, at=at, user=user, action=action, target=target, detail=detail, prev_hash=prev,
                entry_hash=entry_hash(seq, at, user, action, target, detail, prev),
            )
            session.add(row)
            session.flush()
            return _entry(row)

    def audit_log(self, *, limit: int = 100, offset: int = 0, user: str | None = None,
                  action: str | None = None) -> tuple[list[AuditEntry], int]:
        """Newest first, one page, and how many entries match in all."""
        with self.session() as session:
            query = select(models.AuditLogEntry)
            if user:
                query = query.where(models.AuditLogEntry.user == user)
            if action:
                query = query.where(models.AuditLogEntry.action == action)
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(models.AuditLogEntry.seq.desc()).limit(limit).offset(offset))
            return [_entry(r) for r in rows], int(total)

    def check_audit_log(self) -> ChainReport:
        """Recompute every entry's hash in order; the first break, worded for a clerk."""
        with self.session() as session:
            previous, expected, count = GENESIS, 1, 0
            for row in session.scalars(select(models.AuditLogEntry).order_by(models.AuditLogEntry.seq)):
                count += 1
                if row.seq != expected:
                    return ChainReport(count, previous, f"audit log entry #{expected} is missing: an entry was removed")
                if row.prev_hash != previous:
                    return ChainReport(count, previous, f"audit log entry #{row.seq} does not follow the one before it")
                if entry_hash(row.seq, row.at, row.user, row.action, row.target, row.detail, row.prev_hash) \
                        != row.entry_hash:
                    return ChainReport(count, previous, f"audit log entry #{row.seq} was altered after it was written")
                previous, expected = row.entry_hash, row.seq + 1
            return ChainReport(count, previous, None)
