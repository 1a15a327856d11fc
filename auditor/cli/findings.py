"""Stored findings and the decisions on them: `findings` and `review`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from auditor.cli.common import App, parse_date, print_table, say
from auditor.records import SEVERITIES, severity_rank

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from reports.findings_json import FindingRow


def _print_findings(rows: list[FindingRow], tz: ZoneInfo) -> None:
    if not rows:
        say("No findings.")
        return
    table = [("#", "SEVERITY", "RULE", "WHO", "WHERE", "POSTED", "WHY")]
    for r in rows:
        posted = r.posted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if r.posted_at else "-"
        where = f"{r.platform} @{r.account}"
        why = " ".join(r.reason.split())[:70]
        table.append((str(r.id), r.severity, r.rule, r.councillor or "-", where, posted, why))
    print_table(table)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "jsonl"]), default="table",
              show_default=True, help="jsonl: one finding per line, for scripts and labelled examples.")
@click.option("--with-decisions", is_flag=True,
              help="Only reviewed findings, each with its post text and latest decision (a labelled example).")
@click.option("--since", callback=parse_date, metavar="DATE", help="Only findings first found on or after this day.")
@click.option("--severity", type=click.Choice(list(SEVERITIES)), help="Only this severity and worse.")
@click.pass_obj
def findings(app: App, fmt: str, since: date | None, severity: str | None, with_decisions: bool) -> None:
    """List stored findings (json: one array, in the documented shape)."""
    from reports.findings_json import finding_dict  # the one JSON shape, shared with the web app's API

    settings = app.settings
    store = app.store()
    start = datetime.combine(since, datetime.min.time(), settings.council.tz) if since else None
    rows: list[FindingRow] = [
        r
        for r in store.findings(since=start)
        if severity is None or severity_rank(r.severity) >= severity_rank(severity)
    ]
    data = [finding_dict(r, settings) for r in rows]
    if with_decisions:
        from reports.review_rates import UPHELD, latest_decisions

        latest = latest_decisions(store.decisions())
        reviewed = [(r, d) for r, d in zip(rows, data, strict=True) if r.id in latest]
        for row, item in reviewed:
            decision = latest[row.id]
            post = store.post(row.platform, row.post_id) if row.post_id else None
            item.update({"text": post.text if post else None, "decision": decision.action,
                         "note": decision.note, "upheld": decision.action in UPHELD})
        data = [item for _, item in reviewed]
    if fmt == "jsonl":
        for item in data:
            click.echo(json.dumps(item, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from reports.spreadsheet import csv_text

        click.echo(csv_text(list(data[0]) if data else ["id"], data, bom=False), nl=False)
    else:
        _print_findings(rows, settings.council.tz)


@click.command()
@click.argument("finding_id", type=int, metavar="ID")
@click.option("--acknowledge", is_flag=True, help="Seen; no action needed beyond noting it.")
@click.option("--dismiss", is_flag=True, help="Not a breach (needs --note saying why).")
@click.option("--escalate", is_flag=True, help="Needs follow-up (needs --note saying what).")
@click.option("--note", default="", help="Why: required to dismiss or escalate.")
@click.option("--by", "by", metavar="NAME", help="Who decides (required with a decision).")
@click.pass_obj
def review(
    app: App, finding_id: int, acknowledge: bool, dismiss: bool, escalate: bool, note: str, by: str | None
) -> None:
    """Record a decision on finding ID, or show its decisions so far.

    Every decision is kept with who made it and when; the finding's status is the latest one.
    A dismissed finding stays dismissed on re-audit, unless its post is edited afterwards.
    """
    chosen = [name for name, on in (("acknowledged", acknowledge), ("dismissed", dismiss), ("escalated", escalate))
              if on]
    if len(chosen) > 1:  # one decision at a time: recording either would hide the other
        raise click.UsageError("choose one of --acknowledge, --dismiss and --escalate")
    action = chosen[0] if chosen else None
    tz = app.settings.council.tz
    store = app.store()
    if store.finding(finding_id) is None:
        raise click.BadParameter(f"there is no finding #{finding_id} (see `auditor findings`)", param_hint="ID")
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
        say(f"Finding #{finding.id} ({finding.rule}, {finding.account}) is now {finding.status}.")
        return
    history = store.decisions(finding_id)
    if not history:
        say(f"No decisions on finding #{finding_id} yet.")
    for decision in history:
        say(f"{decision.at.astimezone(tz):%Y-%m-%d %H:%M %Z}  {decision.action:<12} by {decision.by}: {decision.note}")


COMMANDS: tuple[click.Command, ...] = (findings, review)
