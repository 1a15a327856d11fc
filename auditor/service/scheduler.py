"""APScheduler wiring for `auditor schedule`, and nothing else.

Jobs are module-level functions taking the configuration path (plain, picklable arguments),
stored in the auditor's own database so a restart keeps their state. Each job calls the same
functions as the CLI commands.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from auditor import secrets
from auditor.archive.lock import run_lock
from auditor.config.settings import ConfigError, Settings, load_settings
from auditor.dates import portable_strftime
from auditor.service import cycle as pipeline
from auditor.service import reporting
from reports.period import iso_week, last_complete_week

log = logging.getLogger(__name__)
JOB_LOCK_WAIT = 10 * 60  # a job waits this long for a running pull or command, then fails until its next time
MISFIRE_GRACE = 15 * 60  # a job missed by up to 15 minutes (a restart, a slow cycle) still runs


def pull_job(config_path: str) -> None:
    settings = load_settings(config_path)
    secrets.install(settings, os.environ)
    store = pipeline.open_store(settings)
    with run_lock(store, "scheduled pull", datetime.now(UTC), wait=JOB_LOCK_WAIT):
        report = pipeline.run_cycle(settings, store, datetime.now(UTC), dict(os.environ), log.info)
    log.info("run %s %s: %d new findings", report.run_id, report.status, len(report.new_findings))


def weekly_job(config_path: str) -> None:
    settings = load_settings(config_path)
    secrets.install(settings, os.environ)
    now = datetime.now(UTC)
    send_weekly(settings, now, dict(os.environ))


def send_weekly(settings: Settings, now: datetime, env: Mapping[str, str]) -> bool:
    """Write and queue last week's report once; True if it was queued now."""
    store = pipeline.open_store(settings)
    period = iso_week(last_complete_week(now, settings.council.tz), settings.council.tz)
    # After the pull that may be running this very minute (the defaults meet on Mondays at 08:00).
    with run_lock(store, "weekly report", datetime.now(UTC), wait=JOB_LOCK_WAIT):
        rendered = reporting.make_report(settings, store, now, period, title="Weekly social media report")
        reporting.write_report(rendered, settings.reports_dir, f"weekly-{period.key}")
        queued = reporting.queue_weekly(settings, store, rendered, now)
        pipeline.deliver(settings, store, now, env)
    return queued


def trigger(expression: str, settings: Settings, field: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expression, timezone=settings.council.tz)
    except ValueError as exc:
        raise ConfigError(settings.path, f"schedule.{field}", f"not a cron expression: {exc}") from None


@dataclass(frozen=True)
class Job:
    """A scheduled job: its id in the job store, what it does, and the `schedule` field timing it."""

    id: str
    name: str
    field: str  # schedule.<field>
    func: Callable[[str], None]

    def expression(self, settings: Settings) -> str:
        return str(getattr(settings.schedule, self.field))


JOBS = (
    Job("pull-and-audit", "pull, audit and alert", "pull", pull_job),
    Job("weekly-report", "weekly report", "weekly_report", weekly_job),
)
JOB_TABLE = "scheduler_jobs"


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=settings.database_url, tablename=JOB_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
        timezone=settings.council.tz,
    )
    config = str(settings.path.resolve())
    # replace_existing: a changed cron string in the config replaces the stored job on restart.
    for job in JOBS:
        scheduler.add_job(job.func, trigger(job.expression(settings), settings, job.field), args=[config],
                          id=job.id, name=job.name, replace_existing=True)
    scheduler.add_listener(_log_failure, EVENT_JOB_ERROR)
    return scheduler


def _log_failure(event: JobExecutionEvent) -> None:
    log.error("job %s failed; it runs again at its next time: %r", event.job_id, event.exception)


def serve(settings: Settings, env: Mapping[str, str], *, once: bool, say: Callable[[str], None]) -> int:
    if once:
        now = datetime.now(UTC)
        store = pipeline.open_store(settings)
        with run_lock(store, "scheduled pull", now, wait=JOB_LOCK_WAIT):
            report = pipeline.run_cycle(settings, store, now, env, say)
        if send_weekly(settings, now, env):
            say("Weekly report queued.")
        return report.exit_code
    scheduler = build_scheduler(settings)
    stop_requested = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Only flag it here: shutting down happens on the main thread, after start() returned.
        say(f"Received signal {signum}: finishing the running job, then stopping.")
        stop_requested.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    for job in scheduler.get_jobs():
        say(f"{job.name}: next at {portable_strftime(job.next_run_time, '%a %-d %b %Y %H:%M %Z')}")
    while not stop_requested.wait(timeout=1):
        pass
    scheduler.shutdown(wait=True)  # waits for a running job to finish
    say("Stopped.")
    return 0
