"""The auditor as a service: `schedule` and `status`."""

from __future__ import annotations

import sys

import click

from auditor.cli.common import App, say, severity_counts


@click.command()
@click.option("--once", is_flag=True, help="Run whatever is due now and exit (for system cron).")
@click.pass_obj
def schedule(app: App, once: bool) -> None:
    """Run as a service: pull and audit on the configured schedule, weekly report on Mondays."""
    from auditor.service.scheduler import serve

    sys.exit(serve(app.settings, app.env, once=once, say=say))


@click.command()
@click.pass_obj
def status(app: App) -> None:
    """Recent runs and their errors, next scheduled times, mail waiting, open findings."""
    from auditor.service.status import read_status
    from reports.period import portable_strftime

    settings = app.settings
    now = app.now()
    state = read_status(settings, app.store(), now)
    say("Recent runs:" if state.runs else "No runs yet: start with `auditor run`.")
    for run_id, started, mode, run_status, new, errors in state.runs:
        say(f"  #{run_id} {portable_strftime(started, '%a %-d %b %H:%M %Z')} {mode} {run_status}: {new} new posts")
        for error in errors:
            say(f"      {error}")
    say("Schedule:")
    for name, next_at, stored in state.jobs:
        when = portable_strftime(next_at, "%a %-d %b %Y %H:%M %Z") if next_at else "never"
        say(f"  {name}: next {when}" + ("" if stored else " (when `auditor schedule` is running)"))
    say(f"Mail waiting: {len(state.pending_mail)}")
    for key, attempts, last_error in state.pending_mail:
        say(f"  {key}: {attempts} attempt(s)" + (f", last error: {last_error}" if last_error else ""))
    say("Open findings: " + (severity_counts(state.open_findings) or "none"))
    if state.review_rates:
        say("Decisions in the last 90 days (upheld = acknowledged or escalated):")
        for rule, rate in state.review_rates.items():
            say(f"  {rule}: {rate.upheld} upheld, {rate.dismissed} dismissed ({rate.share_upheld:.0%} upheld)")


COMMANDS: tuple[click.Command, ...] = (schedule, status)
