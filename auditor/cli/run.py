"""Getting posts in and auditing them: `run`, `audit` and `import`."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.cli.common import (
    App,
    check_account,
    check_councillor,
    check_period,
    out_dir_option,
    period_options,
    say,
    severity_counts,
)
from auditor.platforms import EXPORT_KINDS

if TYPE_CHECKING:
    from auditor.config.settings import Settings
    from auditor.service.cycle import RunReport


def print_run(report: RunReport, settings: Settings) -> None:
    """The summary after a run: accounts read, posts, new findings, mail, failures."""
    fetched = sum(o.counts.fetched for o in report.outcomes)
    new = sum(o.counts.new for o in report.outcomes)
    edited = sum(o.counts.updated for o in report.outcomes)
    failed = [o for o in report.outcomes if o.error]
    findings = severity_counts(Counter(f.severity for f in report.new_findings)) or "none"
    say(
        f"Run {report.run_id} {report.status}: {len(report.outcomes) - len(failed)} of {len(report.outcomes)} "
        f"accounts read; {fetched} posts read, {new} new, {edited} edited."
    )
    say(f"New findings: {findings}.")
    if report.x_read_this_month is not None:
        cap = settings.platforms.x.monthly_read_cap
        say(f"X posts read this month: {report.x_read_this_month}" + (f" of a cap of {cap}." if cap else "."))
    if report.delivery and report.delivery.sent:
        say(f"Delivered {len(report.delivery.sent)} message(s): " + ", ".join(report.delivery.sent))
    if report.delivery and report.delivery.failed:
        say(f"{len(report.delivery.failed)} message(s) not delivered yet; they are retried on the next run.")
    for outcome in failed:
        say(f"  failed: {outcome.platform} @{outcome.handle}: {outcome.error}")


@click.command()
@click.option(
    "--replay",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Read recorded API bodies from DIR/<platform>/<handle>/*.json instead of the network.",
)
@click.pass_obj
def run(app: App, replay: Path | None) -> None:
    """Pull every configured account, audit the archive, queue and send alerts.

    Prints a line per account as it goes and a summary. Exits 1 if any account could not be
    read (the others are still stored and audited).
    """
    from auditor.service import cycle

    if replay is not None and not replay.is_dir():
        raise click.BadParameter(f"{replay} is not a directory", param_hint="--replay")
    settings = app.settings.with_replay(replay)
    store = cycle.open_store(settings)
    with app.locked(store, "run"):
        report = cycle.run_cycle(settings, store, app.now(), app.env, say)
    print_run(report, settings)
    sys.exit(report.exit_code)


@click.command()
@click.option("--councillor", metavar="NAME", help="Only this councillor (as named in the configuration).")
@click.option("--account", metavar="HANDLE", help="Only this account handle.")
@period_options(
    first_help="First day (council time), e.g. 2026-11-01.", last_help="Last day, inclusive (default: today)."
)
@out_dir_option("Write an audit report here.")
@click.pass_obj
def audit(
    app: App, councillor: str | None, account: str | None, first: date | None, last: date | None, out: Path | None
) -> None:
    """Re-audit the archive, or a slice of it, without pulling.

    New findings are stored (and alerted) as by `run`. With --out, writes an HTML and a text
    report for the slice, laid out like the weekly report.
    """
    from auditor.service import cycle, reporting
    from reports.period import date_range

    settings = app.settings
    councillor = check_councillor(settings, councillor)
    account = check_account(settings, account)
    check_period(first, last)
    now = app.now()
    try:
        period = date_range(first, last, settings.council.tz, now)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    store = app.store()
    with app.locked(store, "audit"):
        new, ctx = cycle.audit_with_context(settings, store, now)
        cycle.deliver(settings, store, now, app.env)
    rendered = reporting.make_report(
        settings, store, now, period, title="Ad hoc audit", councillor=councillor, account=account,
        context=ctx, check_archive=False,  # the chain is `auditor verify`'s and the weekly report's
    )
    r = rendered.report
    items = r.attention + r.other_findings + r.deleted
    counts = severity_counts(Counter(f.severity for f in items), all_severities=True)
    say(
        f"Audited {period.label}{' for ' + r.scope if r.scope else ''}: {len(items)} findings "
        f"({counts}); {len(new)} new since the last audit."
    )
    if out is not None:
        html, text = reporting.write_report(rendered, out, f"audit-{period.key.replace('..', '_to_')}")
        say(f"Report: {html}\n        {text}")


@click.command("import")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--account", "handle", metavar="HANDLE", required=True, help="The configured account the export is of.")
@click.pass_obj
def import_command(app: App, kind: str, path: Path, handle: str) -> None:
    """Bring in an account's own export where no API can read it, then audit it.

    x-archive: the data/tweets.js of an X account's archive download. facebook-export: the posts
    JSON of a Facebook "Download your information" export (personal profiles). Imported posts are
    marked as imported and go through the same archive and rules.
    """
    import zipfile

    from auditor.service import cycle
    from connectors.errors import ConnectorError

    settings = app.settings
    if zipfile.is_zipfile(path):
        raise click.UsageError(f"{path} is a zip archive: unzip it and give the posts file inside "
                               "(data/tweets.js, or your_posts_1.json)")
    try:
        counts = cycle.import_export(settings, app.store(), kind, path, handle.lstrip("@"), app.now())
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--account") from None
    except ConnectorError as exc:
        raise click.UsageError(f"{path}: {exc.explanation}") from None
    except UnicodeDecodeError:
        raise click.UsageError(f"{path} is not UTF-8 text, so not a {kind} posts file") from None
    except RecursionError:
        raise click.UsageError(f"{path} is nested too deeply to be a {kind} posts file") from None
    say(
        f"Imported {path.name} into @{handle.lstrip('@')}: {counts.fetched} posts read, {counts.new} new, "
        f"{counts.updated} edited. Audited; see `auditor findings`."
    )


COMMANDS: tuple[click.Command, ...] = (run, audit, import_command)
