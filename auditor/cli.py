"""The `auditor` command line: thin commands over the pipeline and reporting functions.

Exit codes: 0 success; 1 a run finished but some accounts failed; 2 bad configuration or usage.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from auditor.config.settings import ConfigError, Settings, load_settings
from auditor.records import SEVERITIES, severity_rank
from auditor.service import cycle as pipeline
from auditor.service import reporting
from reports.period import date_range, iso_week, last_complete_week, week_of

DEFAULT_CONFIG = "config/auditor.yaml"


class App:
    """What every command needs: the settings (loaded on first use), the clock, the environment."""

    def __init__(self, config: Path, now: datetime | None):
        self.config = config
        self._now = now
        self._settings: Settings | None = None
        self.env = dict(os.environ)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    def now(self) -> datetime:
        return self._now or datetime.now(UTC)

    def store(self) -> Any:
        return pipeline.open_store(self.settings)


def _parse_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601 with an offset, e.g. 2026-11-23T09:00:00-07:00") from None
    if moment.tzinfo is None:
        raise click.BadParameter("needs a UTC offset, e.g. 2026-11-23T09:00:00-07:00")
    return moment.astimezone(UTC)


def _say(message: str) -> None:
    click.echo(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The configuration file (YAML). Paths inside it are relative to it.",
)
@click.option(
    "--now",
    callback=_parse_now,
    metavar="TIMESTAMP",
    help="Audit as of this moment (ISO 8601 with offset) instead of the current time.",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.version_option(package_name="council-feed-auditor")
@click.pass_context
def cli(ctx: click.Context, config: Path, now: datetime | None, verbose: int) -> None:
    """Audit council members' public social media against the council's social media policy.

    Start with `auditor run` (pull and audit), then `auditor report weekly`. `auditor demo`
    does both on the bundled sample council.
    """
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = App(config, now)


def _print_run(report: pipeline.RunReport, settings: Settings) -> None:
    fetched = sum(o.counts.fetched for o in report.outcomes)
    new = sum(o.counts.new for o in report.outcomes)
    edited = sum(o.counts.updated for o in report.outcomes)
    failed = [o for o in report.outcomes if o.error]
    by_severity = Counter(f.severity for f in report.new_findings)
    findings = ", ".join(f"{by_severity[s]} {s}" for s in reversed(SEVERITIES) if by_severity[s]) or "none"
    _say(
        f"Run {report.run_id} {report.status}: {len(report.outcomes) - len(failed)} of {len(report.outcomes)} "
        f"accounts read; {fetched} posts read, {new} new, {edited} edited."
    )
    _say(f"New findings: {findings}.")
    if report.x_read_this_month is not None:
        cap = settings.platforms.x.monthly_read_cap
        _say(f"X posts read this month: {report.x_read_this_month}" + (f" of a cap of {cap}." if cap else "."))
    if report.delivery and report.delivery.sent:
        _say(f"Delivered {len(report.delivery.sent)} message(s): " + ", ".join(report.delivery.sent))
    if report.delivery and report.delivery.failed:
        _say(f"{len(report.delivery.failed)} message(s) not delivered yet; they are retried on the next run.")
    for outcome in failed:
        _say(f"  failed: {outcome.platform} @{outcome.handle}: {outcome.error}")


@cli.command()
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
    if replay is not None and not replay.is_dir():
        raise click.BadParameter(f"{replay} is not a directory", param_hint="--replay")
    settings = app.settings.with_replay(replay)
    store = pipeline.open_store(settings)
    report = pipeline.run_cycle(settings, store, app.now(), app.env, _say)
    _print_run(report, settings)
    sys.exit(report.exit_code)


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-16") from None


@cli.command()
@click.option("--councillor", metavar="NAME", help="Only this councillor (as named in the configuration).")
@click.option("--account", metavar="HANDLE", help="Only this account handle.")
@click.option("--from", "first", callback=_date, metavar="DATE", help="First day (council time), e.g. 2026-11-01.")
@click.option("--to", "last", callback=_date, metavar="DATE", help="Last day, inclusive (default: today).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="Write an audit report here.")
@click.pass_obj
def audit(
    app: App, councillor: str | None, account: str | None, first: date | None, last: date | None, out: Path | None
) -> None:
    """Re-audit the archive, or a slice of it, without pulling.

    New findings are stored (and alerted) as by `run`. With --out, writes an HTML and a text
    report for the slice, laid out like the weekly report.
    """
    settings = app.settings
    names = {c.name.lower() for c in settings.councillors}
    if councillor and councillor.lower() not in names:
        raise click.BadParameter(f"no councillor named {councillor!r} in {settings.path}", param_hint="--councillor")
    handles = {a.handle.lower() for a, _ in settings.accounts()}
    if account and account.lower().lstrip("@") not in handles:
        raise click.BadParameter(f"no account {account!r} in {settings.path}", param_hint="--account")
    account = account.lstrip("@") if account else None
    now = app.now()
    try:
        period = date_range(first, last, settings.council.tz, now)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    store = app.store()
    new = pipeline.audit(settings, store, now)
    pipeline.deliver(settings, store, now, app.env)
    rendered = reporting.make_report(
        settings, store, now, period, title="Ad hoc audit", councillor=councillor, account=account
    )
    r = rendered.report
    items = r.attention + r.other_findings + r.deleted
    counts = Counter(f.severity for f in items)
    _say(
        f"Audited {period.label}{' for ' + r.scope if r.scope else ''}: {len(items)} findings "
        f"({', '.join(f'{counts[s]} {s}' for s in reversed(SEVERITIES))}); {len(new)} new since the last audit."
    )
    if out is not None:
        html, text = reporting.write_report(rendered, out, f"audit-{period.key.replace('..', '_to_')}")
        _say(f"Report: {html}\n        {text}")


@cli.group()
def report() -> None:
    """Build reports from the archive."""


@report.command("weekly")
@click.option("--week", metavar="YYYY-Www", help="ISO week in council time, e.g. 2026-W47 (default: last week).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the HTML and text files (default: reports_dir from the configuration).",
)
@click.option("--send", is_flag=True, help="Also email it to email.weekly_to (once per week), or to the outbox.")
@click.pass_obj
def report_weekly(app: App, week: str | None, out: Path | None, send: bool) -> None:
    """The weekly report: findings, activity, good practice and capture health for one week."""
    settings = app.settings
    now = app.now()
    week = week or last_complete_week(now, settings.council.tz)
    try:
        period = iso_week(week, settings.council.tz)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    store = app.store()
    rendered = reporting.make_report(settings, store, now, period, title="Weekly social media report")
    html, text = reporting.write_report(rendered, out or settings.reports_dir, f"weekly-{period.key}")
    _say(f"Weekly report for {period.label}:\n  {html}\n  {text}")
    if send:
        queued = reporting.queue_weekly(settings, store, rendered, now)
        result = pipeline.deliver(settings, store, now, app.env)
        _say("Queued for email." if queued else f"Already sent for {period.key}; not sent again.")
        for where in result.sent:
            _say(f"  delivered: {where}")


def _finding_dict(row: Any, settings: Settings) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None

    return {
        "id": row.id,
        "rule": row.rule,
        "severity": row.severity,
        "clause": row.clause,
        "clause_text": settings.policy.clause_text(row.clause),
        "platform": row.platform,
        "account": row.account,
        "councillor": row.councillor,
        "post_id": row.post_id,
        "url": row.url,
        "posted_at": iso(row.posted_at),
        "evidence": row.evidence,
        "reason": row.reason,
        "status": row.status,
        "first_found": iso(row.first_found),
    }


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--since", callback=_date, metavar="DATE", help="Only findings first found on or after this day.")
@click.option("--severity", type=click.Choice(list(SEVERITIES)), help="Only this severity and worse.")
@click.pass_obj
def findings(app: App, fmt: str, since: date | None, severity: str | None) -> None:
    """List stored findings (json: one array, in the documented shape)."""
    settings = app.settings
    store = app.store()
    start = datetime.combine(since, datetime.min.time(), settings.council.tz) if since else None
    rows = [
        r
        for r in store.findings(since=start)
        if severity is None or severity_rank(r.severity) >= severity_rank(severity)
    ]
    data = [_finding_dict(r, settings) for r in rows]
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(data[0]) if data else ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    else:
        _print_table(rows, settings)


def _print_table(rows: list[Any], settings: Settings) -> None:
    if not rows:
        _say("No findings.")
        return
    tz = settings.council.tz
    lines = [("#", "SEVERITY", "RULE", "WHO", "WHERE", "POSTED", "WHY")]
    for r in rows:
        posted = r.posted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if r.posted_at else "-"
        lines.append(
            (
                str(r.id),
                r.severity,
                r.rule,
                r.councillor or "-",
                f"{r.platform} @{r.account}",
                posted,
                " ".join(r.reason.split())[:70],
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(6)]
    for line in lines:
        _say("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:6])) + "  " + line[6])


@cli.command()
@click.option("--once", is_flag=True, help="Run whatever is due now and exit (for system cron).")
@click.pass_obj
def schedule(app: App, once: bool) -> None:
    """Run as a service: pull and audit on the configured schedule, weekly report on Mondays."""
    from auditor.service.scheduler import serve

    sys.exit(serve(app.settings, app.env, once=once, say=_say))


@cli.command()
@click.argument("finding_id", type=int, metavar="ID")
@click.option("--acknowledge", "action", flag_value="acknowledged", help="Seen; no action needed beyond noting it.")
@click.option("--dismiss", "action", flag_value="dismissed", help="Not a breach (needs --note saying why).")
@click.option("--escalate", "action", flag_value="escalated", help="Needs follow-up (needs --note saying what).")
@click.option("--note", default="", help="Why: required to dismiss or escalate.")
@click.option("--by", "by", metavar="NAME", help="Who decides (required with a decision).")
@click.pass_obj
def review(app: App, finding_id: int, action: str | None, note: str, by: str | None) -> None:
    """Record a decision on finding ID, or show its decisions so far.

    Every decision is kept with who made it and when; the finding's status is the latest one.
    A dismissed finding stays dismissed on re-audit, unless its post is edited afterwards.
    """
    store = app.store()
    tz = app.settings.council.tz
    if action is not None:
        if not by:
            raise click.UsageError("say who decides with --by NAME")
        if action in ("dismissed", "escalated") and not note.strip():
            raise click.UsageError(f"a finding is only {action} with a --note saying why")
        try:
            finding = store.decide(finding_id, action, note.strip(), by, app.now())
        except KeyError:
            raise click.BadParameter(
                f"there is no finding #{finding_id} (see `auditor findings`)", param_hint="ID"
            ) from None
        _say(f"Finding #{finding.id} ({finding.rule}, {finding.account}) is now {finding.status}.")
        return
    history = store.decisions(finding_id)
    if not history:
        _say(f"No decisions on finding #{finding_id} yet.")
    for decision in history:
        _say(f"{decision.at.astimezone(tz):%Y-%m-%d %H:%M %Z}  {decision.action:<12} by {decision.by}: {decision.note}")


@cli.command("export")
@click.option("--from", "first", callback=_date, metavar="DATE", required=True, help="First day (council time).")
@click.option("--to", "last", callback=_date, metavar="DATE", required=True, help="Last day, inclusive.")
@click.option("--councillor", metavar="NAME", help="Only this councillor.")
@click.option("--account", metavar="HANDLE", help="Only this account.")
@click.option("--query", metavar="TEXT", help="Only posts where some version mentions this (case and accents ignored).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder to write.")
@click.pass_obj
def export_command(
    app: App, first: date, last: date, councillor: str | None, account: str | None, query: str | None, out: Path
) -> None:
    """Everything posted or deleted in a period, with proof: for FOIP requests and discovery.

    Writes posts with every version and deletion mark, the replies around them, findings and
    decisions (JSON Lines and spreadsheet-ready CSV), the raw bodies they came from, and a
    MANIFEST of SHA-256 hashes. Check it later with `auditor verify --export DIR`.
    """
    from auditor.archive.export import Request, export

    settings = app.settings
    if out.exists() and any(out.iterdir()):
        raise click.BadParameter(f"{out} is not empty; exports go into a new folder", param_hint="--out")
    period = date_range(first, last, settings.council.tz, app.now())
    summary = export(app.store(), Request(period.start, period.end, councillor, account, query), out, app.now())
    _say(
        f"Exported {period.label}: {summary.posts} posts ({summary.deleted} deleted), {summary.versions} versions, "
        f"{summary.context} replies around them, {summary.findings} findings, {summary.captures} raw bodies."
    )
    _say(f"  {out}  (archive chain head {summary.chain_head})")


@cli.command("search")
@click.argument("text")
@click.option("--platform", type=click.Choice(["x", "facebook", "youtube", "bluesky", "mastodon"]))
@click.option("--councillor", metavar="NAME", help="Only posts this councillor wrote.")
@click.option("--from", "first", callback=_date, metavar="DATE", help="First day (council time).")
@click.option("--to", "last", callback=_date, metavar="DATE", help="Last day, inclusive.")
@click.pass_obj
def search_command(
    app: App, text: str, platform: str | None, councillor: str | None, first: date | None, last: date | None
) -> None:
    """Find posts in the archive, edited and deleted ones included, with the match in context."""
    from auditor.archive.search import search

    settings = app.settings
    tz = settings.council.tz
    start = datetime.combine(first, datetime.min.time(), tz) if first else None
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz) if last else None
    hits = search(app.store(), text, platform=platform, councillor=councillor, start=start, end=end)
    if not hits:
        _say(f"Nothing in the archive matches {text!r}.")
        return
    for hit in hits:
        flags = []
        if hit.versions > 1:
            flags.append(f"version {hit.version} of {hit.versions}")
        if hit.deleted_at:
            flags.append(f"deleted {hit.deleted_at.astimezone(tz):%Y-%m-%d}")
        who = hit.councillor or hit.author or "?"
        _say(
            f"{hit.created_at.astimezone(tz):%Y-%m-%d %H:%M}  {hit.platform} {hit.post_id}  {who}"
            + (f"  ({', '.join(flags)})" if flags else "")
        )
        _say(f"    {hit.snippet}")
    _say(f"{len(hits)} post(s).")


@cli.command("import")
@click.argument("kind", type=click.Choice(["x-archive", "facebook-export"]))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--account", "handle", metavar="HANDLE", required=True, help="The configured account the export is of.")
@click.pass_obj
def import_command(app: App, kind: str, path: Path, handle: str) -> None:
    """Bring in an account's own export where no API can read it, then audit it.

    x-archive: the data/tweets.js of an X account's archive download. facebook-export: the posts
    JSON of a Facebook "Download your information" export (personal profiles). Imported posts are
    marked as imported and go through the same archive and rules.
    """
    from connectors.errors import ConnectorError

    settings = app.settings
    try:
        counts = pipeline.import_export(settings, app.store(), kind, path, handle.lstrip("@"), app.now())
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--account") from None
    except ConnectorError as exc:
        raise click.UsageError(f"{path}: {exc.explanation}") from None
    _say(
        f"Imported {path.name} into @{handle.lstrip('@')}: {counts.fetched} posts read, {counts.new} new, "
        f"{counts.updated} edited. Audited; see `auditor findings`."
    )


@cli.command("prune")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.pass_obj
def prune_command(app: App, dry_run: bool) -> None:
    """Apply the configured retention periods (`retention:` in the configuration).

    Raw bodies keep their hash (the archive still verifies); residents' replies and comments
    are removed past their period; councillors' own posts only if a period is set for them.
    """
    from auditor.archive.retention import prune

    settings = app.settings
    policy = settings.file.retention
    if not (policy.raw_bodies_days or policy.others_comments_days or policy.councillor_posts_days):
        _say(f"No retention periods are set in {settings.path}: everything is kept.")
        return
    plan = prune(app.store(), policy, app.now(), dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    _say(
        f"{verb}: {plan.raw_bodies} raw bodies (hashes kept), {plan.others_comments} replies and comments by "
        f"others, {plan.councillor_posts} councillors' posts."
    )


@cli.command()
@click.option(
    "--export",
    "export_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Check an export folder on its own (its MANIFEST and raw bodies) instead of the archive.",
)
@click.pass_obj
def verify(app: App, export_dir: Path | None) -> None:
    """Prove the archive (or an export) is unaltered: recompute the capture chain and every hash.

    Exits 0 when intact, 1 at the first break, which it names.
    """
    if export_dir is not None:
        from auditor.archive.export import verify_export

        problems, summary = verify_export(export_dir)
        _say(summary)
        for problem in problems:
            _say(f"  BROKEN: {problem}")
        sys.exit(1 if problems else 0)
    store = app.store()
    chain = store.chain()
    altered = store.altered_versions()
    if chain.intact and not altered:
        _say(f"Archive intact: {chain.records} captures, chain head {chain.head}.")
        return
    if chain.problem:
        _say(f"BROKEN: {chain.problem}.")
    for version in altered[:20]:
        _say(f"BROKEN: the stored text of {version} no longer matches its hash.")
    sys.exit(1)


@cli.group()
def accounts() -> None:
    """The configured accounts."""


@accounts.command("check")
@click.pass_obj
def accounts_check(app: App) -> None:
    """Verify access to every account, resolve ids, and print a table; exit 1 if any has a problem."""
    settings = app.settings
    results = pipeline.check_accounts(settings, app.store(), app.env)
    rows = [("PLATFORM", "HANDLE", "OWNER", "ID", "STATUS")] + [
        (r.platform, r.handle, r.owner, r.platform_id or "-", "OK" if r.problem is None else "PROBLEM") for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        _say("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    problems = [r for r in results if r.problem]
    for r in problems:
        _say(f"\n{r.platform} @{r.handle}: {r.problem}")
    if problems:
        sys.exit(1)


@cli.command()
@click.pass_obj
def status(app: App) -> None:
    """Recent runs and their errors, next scheduled times, mail waiting, open findings."""
    from auditor.service.status import read_status

    settings = app.settings
    now = app.now()
    state = read_status(settings, app.store(), now)
    _say("Recent runs:" if state.runs else "No runs yet: start with `auditor run`.")
    for run_id, started, mode, run_status, new, errors in state.runs:
        _say(f"  #{run_id} {started:%a %-d %b %H:%M %Z} {mode} {run_status}: {new} new posts")
        for error in errors:
            _say(f"      {error}")
    _say("Schedule:")
    for name, next_at, stored in state.jobs:
        when = f"{next_at:%a %-d %b %Y %H:%M %Z}" if next_at else "never"
        _say(f"  {name}: next {when}" + ("" if stored else " (when `auditor schedule` is running)"))
    _say(f"Mail waiting: {len(state.pending_mail)}")
    for key, attempts, error in state.pending_mail:
        _say(f"  {key}: {attempts} attempt(s)" + (f", last error: {error}" if error else ""))
    counts = state.open_findings
    _say("Open findings: " + (", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s]) or "none"))


@cli.command()
@click.pass_obj
def demo(app: App) -> None:
    """Audit the bundled sample council from its recorded bodies and write its reports.

    Uses the configuration's `replay` folder (config/auditor.yaml ships with one), writes the
    weekly report for the week of the newest captured post, and the alert emails as .eml files.
    """
    settings = app.settings
    if settings.replay_dir is None:
        raise click.UsageError(f"{settings.path} has no `replay:` folder; the demo reads recorded bodies only")
    store = pipeline.open_store(settings)
    newest = pipeline.newest_recorded(settings)
    if app._now is None and newest is not None:
        # Recorded bodies are a moment in time: audit as of the day after the newest post, so the
        # demo shows the same findings whenever it is run.
        now = min(app.now(), newest + timedelta(days=1))
        _say(
            f"Auditing as of {now.astimezone(settings.council.tz):%a %-d %b %Y %H:%M %Z}, the day after the "
            "newest recorded post (--now changes it)."
        )
    else:
        now = app.now()
    result = pipeline.run_cycle(settings, store, now, app.env, _say)
    _print_run(result, settings)
    period = iso_week(week_of(newest or now, settings.council.tz), settings.council.tz)
    rendered = reporting.make_report(settings, store, now, period, title="Weekly social media report")
    html, text = reporting.write_report(rendered, settings.reports_dir, f"weekly-{period.key}")
    reporting.queue_weekly(settings, store, rendered, now)
    pipeline.deliver(settings, store, now, app.env)
    alerts = [m.delivered_to for m in store.outbox() if m.kind == "alert" and m.delivered_to]
    weekly = [m.delivered_to for m in store.outbox() if m.kind == "weekly" and m.delivered_to]
    _say("")
    _say(f"Weekly report ({period.label}):")
    _say(f"  {html}")
    _say(f"  {text}")
    _say(f"Alert emails ({len(alerts)}):")
    for path in alerts:
        _say(f"  {path}")
    for path in weekly:
        _say(f"Weekly email: {path}")
    _say(f"Archive: {settings.database_url}")
    sys.exit(result.exit_code)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="auditor", standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"auditor: configuration error: {exc}", err=True)
        sys.exit(2)
