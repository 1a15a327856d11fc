"""The bundled sample council, audited offline: `demo`."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from auditor.cli.common import App, say
from auditor.cli.run import print_run

if TYPE_CHECKING:
    from auditor.config.settings import Settings


def _audit_moment(app: App, settings: Settings, newest: datetime | None) -> datetime:
    """Recorded bodies are a moment in time: without --now, audit as of the day after the newest post,
    so the demo shows the same findings whenever it is run."""
    from reports.period import portable_strftime

    if app.now_given or newest is None:
        return app.now()
    now = min(app.now(), newest + timedelta(days=1))
    when = portable_strftime(now.astimezone(settings.council.tz), "%a %-d %b %Y %H:%M %Z")
    say(f"Auditing as of {when}, the day after the newest recorded post (--now changes it).")
    return now


@click.command()
@click.pass_obj
def demo(app: App) -> None:
    """Audit the bundled sample council from its recorded bodies and write its reports.

    Uses the configuration's `replay` folder (config/auditor.yaml ships with one), writes the
    weekly report for the week of the newest captured post, and the alert emails as .eml files.
    """
    from auditor.service import cycle, reporting
    from reports.period import iso_week, week_of

    settings = app.settings
    if settings.replay_dir is None:
        raise click.UsageError(f"{settings.path} has no `replay:` folder; the demo reads recorded bodies only")
    store = cycle.open_store(settings)
    newest = cycle.newest_recorded(settings)
    now = _audit_moment(app, settings, newest)
    with app.locked(store, "demo"):
        result = cycle.run_cycle(settings, store, now, app.env, say)
    print_run(result, settings)
    period = iso_week(week_of(newest or now, settings.council.tz), settings.council.tz)
    rendered = reporting.make_report(settings, store, now, period, title="Weekly social media report")
    html, text = reporting.write_report(rendered, settings.reports_dir, f"weekly-{period.key}")
    reporting.queue_weekly(settings, store, rendered, now)
    cycle.deliver(settings, store, now, app.env)
    outbox = store.outbox()
    alerts = [m.delivered_to for m in outbox if m.kind == "alert" and m.delivered_to]
    weekly = [m.delivered_to for m in outbox if m.kind == "weekly" and m.delivered_to]
    say("")
    say(f"Weekly report ({period.label}):")
    say(f"  {html}")
    say(f"  {text}")
    _say_web(settings)
    say(f"Alert emails ({len(alerts)}):")
    for path in alerts:
        say(f"  {path}")
    for path in weekly:
        say(f"Weekly email: {path}")
    say(f"Archive: {settings.database_url}")
    sys.exit(result.exit_code)


def _say_web(settings: Settings) -> None:
    """How to review these findings in the browser: a demo user, then the web app."""
    from pathlib import Path

    script = Path(sys.executable).parent / "auditor"
    try:
        command = str(script.relative_to(Path.cwd())) if script.exists() else "auditor"
    except ValueError:
        command = str(script)
    config = settings.path
    say("Review them in a browser (the web app, on this sample council):")
    say(f"  printf '%s\\n' 'choose-a-demo-password' | {command} --config {config} users add demo --role admin")
    say(f"  {command} --config {config} web    # then open http://127.0.0.1:8080/ and sign in as demo")


COMMANDS: tuple[click.Command, ...] = (demo,)
