"""The outbox: emails queued in the transaction that caused them, then marked sent or retried."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditor.archive import convert, models
from auditor.archive.database import Database
from auditor.records import OutboxMessage, OutgoingMail


def enqueue(session: Session, mail: OutgoingMail, now: datetime) -> bool:
    """Add a message unless one with its key exists; called inside the causing transaction."""
    if session.scalar(select(models.OutboxMessage.id).filter_by(key=mail.key)) is not None:
        return False
    session.add(
        models.OutboxMessage(
            key=mail.key,
            kind=mail.kind,
            recipients=list(mail.recipients),
            subject=mail.subject,
            message=mail.message,
            created_at=now,
        )
    )
    return True


class OutboxArchive(Database):
    def queue_mail(self, mail: OutgoingMail, now: datetime) -> bool:
        """Queue one message once: False when its key was queued before."""
        with self.session() as session, session.begin():
            return enqueue(session, mail, now)

    def pending_messages(self, now: datetime) -> list[OutboxMessage]:
        with self.session() as session:
            query = (
                select(models.OutboxMessage)
                .where(models.OutboxMessage.sent_at.is_(None))
                .order_by(models.OutboxMessage.id)
            )
            return [
                convert.outbox(m)
                for m in session.scalars(query)
                if m.next_attempt_at is None or m.next_attempt_at <= now
            ]

    def outbox(self) -> list[OutboxMessage]:
        with self.session() as session:
            query = select(models.OutboxMessage).order_by(models.OutboxMessage.id)
            return [convert.outbox(m) for m in session.scalars(query)]

    def mark_sent(self, message_id: int, now: datetime, delivered_to: str) -> None:
        with self.session() as session, session.begin():
            row = session.get(models.OutboxMessage, message_id)
            if row is None:
                raise KeyError(f"no queued message #{message_id}")
            row.sent_at, row.delivered_to, row.last_error = now, delivered_to, None
            row.attempts += 1

    def mark_failed(self, message_id: int, now: datetime, error: str, retry_at: datetime) -> None:
        with self.session() as session, session.begin():
            row = session.get(models.OutboxMessage, message_id)
            if row is None:
                raise KeyError(f"no queued message #{message_id}")
            row.attempts += 1
            row.last_error, row.next_attempt_at = error, retry_at
