"""Runs: when each pull started and ended, and each account's part in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auditor.archive import convert, models
from auditor.archive.accounts import account_row
from auditor.archive.database import Database
from auditor.archive.posts import IngestCounts
from auditor.records import Run


class RunsArchive(Database):
    def start_run(self, now: datetime, mode: str) -> int:
        with self.session() as session, session.begin():
            run = models.Run(started_at=now, mode=mode, status="running")
            session.add(run)
            session.flush()
            return run.id

    def record_account(
        self,
        run_id: int,
        platform: str,
        handle: str,
        counts: IngestCounts,
        now: datetime,
        error_kind: str | None = None,
        error: str | None = None,
        advice: str | None = None,
    ) -> None:
        """One account's part of a run; an error is also kept on the account until a pull succeeds."""
        with self.session() as session, session.begin():
            account = account_row(session, platform, handle)
            if error:
                account.last_error, account.last_error_kind, account.last_error_advice = error, error_kind, advice
            session.add(
                models.RunAccount(
                    run_id=run_id,
                    account_id=account.id,
                    fetched=counts.fetched,
                    new=counts.new,
                    updated=counts.updated,
                    error_kind=error_kind,
                    error=error,
                    finished_at=now,
                )
            )

    def finish_run(self, run_id: int, now: datetime) -> str:
        with self.session() as session, session.begin():
            run = session.get(models.Run, run_id)
            if run is None:
                raise KeyError(f"no run #{run_id}")
            failed = sum(1 for a in run.accounts if a.error)
            run.status = "ok" if failed == 0 else ("failed" if failed == len(run.accounts) else "partial")
            run.finished_at = now
            return run.status

    def abandon_run(self, run_id: int, now: datetime, status: str = "failed") -> None:
        """End a run that could not finish (its audit raised): never left `running`."""
        with self.session() as session, session.begin():
            run = session.get(models.Run, run_id)
            if run is not None and run.status == "running":
                run.status, run.finished_at = status, now

    def interrupt_stale_runs(self, now: datetime) -> int:
        """Mark `interrupted` every run still `running`: called under the run lock, when no run can
        be in progress, so these were left by a process that died. Returns how many."""
        with self.session() as session, session.begin():
            stale = list(session.scalars(select(models.Run).where(models.Run.status == "running")))
            for run in stale:
                run.status, run.finished_at = "interrupted", now
            return len(stale)

    def runs(self, since: datetime | None = None) -> list[Run]:
        with self.session() as session:
            query = select(models.Run).options(selectinload(models.Run.accounts)).order_by(models.Run.id)
            if since is not None:
                query = query.where(models.Run.started_at >= since)
            return [convert.run(r) for r in session.scalars(query)]

    def posts_read(self, platform: str, since: datetime) -> int:
        """Posts read from a platform's accounts in live runs since `since` (X bills reads per post)."""
        with self.session() as session:
            query = (
                select(func.coalesce(func.sum(models.RunAccount.fetched), 0))
                .join(models.Run, models.RunAccount.run_id == models.Run.id)
                .join(models.Account, models.RunAccount.account_id == models.Account.id)
                .where(models.Account.platform == platform, models.Run.started_at >= since, models.Run.mode == "live")
            )
            return int(session.scalar(query) or 0)
