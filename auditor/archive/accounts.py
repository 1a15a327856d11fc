"""Configured accounts in the archive, and the one answer to "which configured account wrote this"."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auditor.archive import convert, models
from auditor.archive.database import Database
from auditor.engine.context import AccountInfo
from auditor.records import AccountRecord


def account_row(session: Session, platform: str, handle: str) -> models.Account:
    row = session.scalar(select(models.Account).filter_by(platform=platform, handle_key=handle.lower()))
    if row is None:
        raise KeyError(f"{platform}/{handle} is not a configured account")
    return row


class Authors:
    """Who wrote a post, among the configured accounts: by the platform's author id, else by the
    author's handle (bodies from before the id was resolved). Every reader of the archive asks here."""

    def __init__(self, accounts: Iterable[models.Account]):
        accounts = list(accounts)
        self._by_id = {(a.platform, a.platform_id): a for a in accounts if a.platform_id}
        self._by_handle = {(a.platform, a.handle_key): a for a in accounts}

    def of(self, platform: str, author_id: str | None, author_handle: str | None) -> models.Account | None:
        found = self._by_id.get((platform, author_id)) if author_id else None
        if found is None and author_handle:
            found = self._by_handle.get((platform, author_handle.lower()))
        return found

    @classmethod
    def load(cls, session: Session) -> Authors:
        return cls(session.scalars(select(models.Account)))


class AccountsArchive(Database):
    def sync_accounts(self, configured: Iterable[tuple[str, str, str | None, str, str | None]]) -> None:
        """Upsert (platform, handle, id, kind, councillor) rows from the configuration."""
        rows = list(configured)
        try:
            self._sync_accounts(rows)
        except IntegrityError:  # another process inserted the same account this very moment: now update it
            self._sync_accounts(rows)

    def _sync_accounts(self, configured: Iterable[tuple[str, str, str | None, str, str | None]]) -> None:
        with self.session() as session, session.begin():
            for platform, handle, platform_id, kind, councillor in configured:
                row = session.scalar(select(models.Account).filter_by(platform=platform, handle_key=handle.lower()))
                if row is None:
                    row = models.Account(platform=platform, handle=handle, handle_key=handle.lower())
                    session.add(row)
                row.kind, row.councillor = kind, councillor
                if platform_id:
                    row.platform_id = platform_id

    def accounts(self) -> list[AccountRecord]:
        with self.session() as session:
            return [convert.account(a) for a in session.scalars(select(models.Account).order_by(models.Account.id))]

    def account_infos(self) -> list[AccountInfo]:
        """The accounts as the engine sees them."""
        return [
            AccountInfo(a.platform, a.handle, a.kind, a.councillor, a.platform_id, a.profile or "")
            for a in self.accounts()
        ]
