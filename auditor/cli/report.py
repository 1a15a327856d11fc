"""Reports from the archive: `report weekly`."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import FIRST_YEAR, LAST_YEAR, App, out_dir_option, say


@click.group()
def report() -> None:
    """Build reports from the archive."""


@report.command("weekly")
@click.option("--week", metavar="YYYY-Www", help="ISO week in council time, e.g. 2026-W47 (default: last week).")
@out_dir_option("Folder for the HTML and text files (default: reports_dir from the configuration).")
@click.option("--send", is_flag=True, help="Also email it to email.weekly_to (once per week), or to the outbox.")
@click.pass_obj
def report_weekly(app: App, week: str | None, out: Path | None, send: bool) -> None:
    """The weekly report: findings, activity, good practice and capture health for one week."""
    from auditor.service import cycle, reporting
    from reports.period import iso_week, last_complete_week

    settings = app.settings
    now = app.now()
    week = week or last_complete_week(now, settings.council.tz)
    year = week.partition("-")[0]
    if not (year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        raise click.BadParameter(f"{week!r} is not a week like 2026-W47 between {FIRST_YEAR} and {LAST_YEAR}",
                                 param_hint="--week")
    try:
        period = iso_week(week, settings.council.tz)
    except (ValueError, OverflowError) as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    store = app.store()
    rendered = reporting.make_report(settings, store, now, period, title="Weekly social media report")
    html, text = reporting.write_report(rendered, out or settings.reports_dir, f"weekly-{period.key}")
    say(f"Weekly report for {period.label}:\n  {html}\n  {text}")
    if send:
        queued = reporting.queue_weekly(settings, store, rendered, now)
        result = cycle.deliver(settings, store, now, app.env)
        say("Queued for email." if queued else f"Already sent for {period.key}; not sent again.")
        for where in result.sent:
            say(f"  delivered: {where}")


COMMANDS: tuple[click.Command, ...] = (report,)
