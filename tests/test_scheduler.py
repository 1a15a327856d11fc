"""The service: jobs from the config's cron strings, in council time, stopping cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from auditor.config.settings import ConfigError, load_settings
from auditor.service.scheduler import build_scheduler

EDMONTON = ZoneInfo("America/Edmonton")


@pytest.fixture
def config(tmp_path: Path, policy_file: Path) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(f"""
council: {{name: Test, timezone: America/Edmonton}}
database: sqlite:///archive.db
policy: {policy_file}
replay: {tmp_path / 'replay'}
schedule: {{pull: "*/30 * * * *", weekly_report: "0 8 * * mon"}}
""", encoding="utf-8")
    (tmp_path / "replay").mkdir()
    return path


def next_times(config: Path) -> dict[str, datetime]:
    settings = load_settings(config)
    scheduler = build_scheduler(settings)
    now = datetime.now(EDMONTON)
    return {job.id: job.trigger.get_next_fire_time(None, now) for job in scheduler.get_jobs()}


def test_jobs_fire_at_the_configured_times_in_council_time(config: Path) -> None:
    with time_machine.travel(datetime(2026, 11, 24, 9, 10, tzinfo=EDMONTON), tick=False):
        times = next_times(config)
    assert times["pull-and-audit"] == datetime(2026, 11, 24, 9, 30, tzinfo=EDMONTON)
    assert times["weekly-report"] == datetime(2026, 11, 30, 8, 0, tzinfo=EDMONTON)
    assert times["weekly-report"].utcoffset().total_seconds() == -7 * 3600


def test_the_weekly_report_keeps_8am_across_the_daylight_saving_change(config: Path) -> None:
    with time_machine.travel(datetime(2027, 3, 9, 12, 0, tzinfo=EDMONTON), tick=False):
        weekly = next_times(config)["weekly-report"]
    assert (weekly.hour, weekly.utcoffset().total_seconds()) == (8, -6 * 3600)  # MDT after 14 March


def stored_jobs(config: Path) -> dict[str, object]:
    """Start the real scheduler paused (so nothing runs), read its persistent job store, stop."""
    scheduler = build_scheduler(load_settings(config))
    scheduler.start(paused=True)
    try:
        return {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_are_stored_and_a_changed_cron_replaces_them(config: Path, tmp_path: Path) -> None:
    with time_machine.travel(datetime(2026, 11, 24, 9, 10, tzinfo=EDMONTON), tick=False):
        jobs = stored_jobs(config)
        assert set(jobs) == {"pull-and-audit", "weekly-report"}
        assert all(job.coalesce and job.max_instances == 1 and job.misfire_grace_time for job in jobs.values())
        assert jobs["pull-and-audit"].next_run_time == datetime(2026, 11, 24, 9, 30, tzinfo=EDMONTON)
        assert (tmp_path / "archive.db").exists(), "the job store lives in the auditor's own database"
        config.write_text(config.read_text().replace('pull: "*/30 * * * *"', 'pull: "*/15 * * * *"'))
        replaced = stored_jobs(config)
    assert replaced["pull-and-audit"].next_run_time == datetime(2026, 11, 24, 9, 15, tzinfo=EDMONTON)
    assert len(replaced) == 2


def test_a_bad_cron_string_names_the_field(config: Path) -> None:
    config.write_text(config.read_text().replace('"0 8 * * mon"', '"every monday"'))
    with pytest.raises(ConfigError) as caught:
        build_scheduler(load_settings(config))
    assert caught.value.field == "schedule.weekly_report"


def test_sigterm_stops_the_service_cleanly(config: Path) -> None:
    auditor = Path(sys.executable).with_name("auditor")
    process = subprocess.Popen([str(auditor), "--config", str(config), "schedule"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = []
        deadline = time.monotonic() + 90  # generous: a loaded machine starts Python slowly
        while time.monotonic() < deadline and not any("weekly report: next" in line for line in lines):
            lines.append(process.stdout.readline())
        assert any("pull, audit and alert: next" in line for line in lines), lines
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "Stopped." in output


def _fail() -> None:
    raise RuntimeError("the platform fell over")


def test_a_failing_job_is_logged_and_the_service_runs_the_next_job(
    config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    from apscheduler.events import EVENT_JOB_ERROR
    from apscheduler.jobstores.memory import MemoryJobStore

    scheduler = build_scheduler(load_settings(config))
    scheduler.remove_all_jobs()  # the configured pull and report are not what this test is about
    scheduler.add_jobstore(MemoryJobStore(), "memory")  # throwaway jobs: closures, not picklable
    failed, ran = threading.Event(), threading.Event()
    scheduler.add_listener(lambda _event: failed.set(), EVENT_JOB_ERROR)  # after the service's own listener
    now = datetime.now(EDMONTON)
    scheduler.add_job(_fail, "interval", hours=1, next_run_time=now, id="failing", jobstore="memory")
    scheduler.start()
    try:
        assert failed.wait(timeout=10), "the failing job ran"
        scheduler.add_job(ran.set, next_run_time=datetime.now(EDMONTON), id="recording", jobstore="memory")
        assert ran.wait(timeout=10), "the next job still runs after a failure"
        assert scheduler.running
        failing = scheduler.get_job("failing")
        assert failing is not None and failing.next_run_time > now, "tried again at its next time"
    finally:
        scheduler.shutdown(wait=True)
    logged = [r for r in caplog.records if r.name == "auditor.service.scheduler" and r.levelname == "ERROR"]
    assert logged and "job failing failed" in logged[0].getMessage()
    assert "the platform fell over" in logged[0].getMessage()


def test_schedule_once_pulls_writes_last_weeks_report_and_exits_0(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import cli
    from tests.conftest import ROOT

    config = tmp_path / "once.yaml"
    config.write_text(f"""
council: {{name: Test, timezone: America/Edmonton}}
database: sqlite:///{tmp_path / 'once.db'}
policy: {ROOT / 'config' / 'policy.yaml'}
replay: {ROOT / 'tests' / 'fixtures' / 'replay'}
reports_dir: reports
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: x, handle: JaneDoe, id: "2222", kind: representative}}
email: {{from: auditor@example.org, alerts_to: [comms@example.org], weekly_to: [comms@example.org], outbox: outbox}}
""", encoding="utf-8")
    # Monday 09:00 in Edmonton: last complete week is 2026-W47.
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=EDMONTON), tick=False):
        result = CliRunner().invoke(cli, ["--config", str(config), "schedule", "--once"], catch_exceptions=False)
        again = CliRunner().invoke(cli, ["--config", str(config), "schedule", "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "x @JaneDoe (Jane Doe): 5 read, 5 new" in result.output
    assert "Weekly report queued." in result.output
    assert (tmp_path / "reports" / "weekly-2026-W47.html").exists()
    assert (tmp_path / "outbox" / "weekly-2026-W47.eml").exists()
    assert again.exit_code == 0 and "Weekly report queued." not in again.output, "once per week"
