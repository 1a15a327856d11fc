"""What `auditor status` shows: recent runs, the next scheduled times, mail waiting, open findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from auditor.archive.store import Store
from auditor.config.settings import Settings
from auditor.service.scheduler import JOB_TABLE, JOBS, trigger
from reports.review_rates import ReviewRate, review_rates

REVIEW_PERIOD = timedelta(days=90)


@dataclass(frozen=True)
class Status:
    runs: list[tuple[int, datetime, str, str, int, list[str]]]  # id, started, mode, status, new posts, errors
    jobs: list[tuple[str, datetime | None, bool]]  # name, next run (council time), stored by a service
    pending_mail: list[tuple[str, int, str | None]]  # key, attempts, last error
    open_findings: Counter[str]
    review_rates: dict[str, ReviewRate] = field(default_factory=dict)  # the last 90 days, per rule


def read_status(settings: Settings, store: Store, now: datetime, last_runs: int = 5) -> Status:
    tz = settings.council.tz
    runs = [
        (
            r.id,
            r.started_at.astimezone(tz),
            r.mode,
            r.status,
            sum(a.new for a in r.accounts),
            [f"{a.platform} @{a.handle}: {a.error}" for a in r.accounts if a.error],
        )
        for r in store.runs()[-last_runs:]
    ]
    stored = {}
    if store.has_table(JOB_TABLE):  # created when `auditor schedule` first starts
        job_store = SQLAlchemyJobStore(url=settings.database_url, tablename=JOB_TABLE)
        stored = {job.id: job for job in job_store.get_all_jobs()}
        job_store.shutdown()
    jobs = []
    for spec in JOBS:
        job = stored.get(spec.id)
        if job is not None and job.next_run_time is not None:
            jobs.append((spec.name, job.next_run_time.astimezone(tz), True))
        else:
            when = trigger(spec.expression(settings), settings, spec.field).get_next_fire_time(None, now.astimezone(tz))
            jobs.append((spec.name, when, False))
    pending = [(m.key, m.attempts, m.last_error) for m in store.outbox() if m.sent_at is None]
    stored_findings = store.findings()
    open_findings = Counter(f.severity for f in stored_findings if f.status == "open")
    rates = review_rates(stored_findings, store.decisions(), now - REVIEW_PERIOD)
    return Status(runs, jobs, pending, open_findings, rates)
