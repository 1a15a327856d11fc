"""Stored findings and the decisions on them: `findings` and `review`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

import click

from auditor.cli.common import App, parse_date, print_table, say
from auditor.dates import iso_utc
from auditor.records import SEVERITIES, severity_rank

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from auditor.config.settings import Settings


class FindingRow(Protocol):
    """The attributes of a stored finding the command line reads (an archive row or its record)."""

    @property
    def id(self) -> int: ...
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def clause(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def councillor(self) -> str | None: ...
    @property
    def post_id(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def posted_at(self) -> datetime | None: ...
    @property
    def evidence(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def first_found(self) -> datetime: ...


FindingJSON = dict[str, str | int | None]


def finding_dict(row: FindingRow, settings: Settings) -> FindingJSON:
    """A finding in the documented JSON shape (DESIGN.md, "Findings JSON")."""
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
        "posted_at": iso_utc(row.posted_at),
        "evidence": row.evidence,
        "reason": row.reason,
        "status": row.status,
        "first_found": iso_utc(row.first_found),
    }


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
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--since", callback=parse_date, metavar="DATE", help="Only findings first found on or after this day.")
@click.option("--severity", type=click.Choice(list(SEVERITIES)), help="Only this severity and worse.")
@click.pass_obj
def findings(app: App, fmt: str, since: date | None, severity: str | None) -> None:
    """List stored findings (json: one array, in the documented shape)."""
    settings = app.settings
    store = app.store()
    start = datetime.combine(since, datetime.min.time(), settings.council.tz) if since else None
    rows: list[FindingRow] = [
        r
        for r in store.findings(since=start)
        if severity is None or severity_rank(r.severity) >= severity_rank(severity)
    ]
    data = [finding_dict(r, settings) for r in rows]
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from reports.spreadsheet import csv_text

        click.echo(csv_text(list(data[0]) if data else ["id"], data, bom=False), nl=False)
    else:
        _print_findings(rows, settings.council.tz)


@click.command()
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
        say(f"Finding #{finding.id} ({finding.rule}, {finding.account}) is now {finding.status}.")
        return
    history = store.decisions(finding_id)
    if not history:
        say(f"No decisions on finding #{finding_id} yet.")
    for decision in history:
        say(f"{decision.at.astimezone(tz):%Y-%m-%d %H:%M %Z}  {decision.action:<12} by {decision.by}: {decision.note}")


COMMANDS: tuple[click.Command, ...] = (findings, review)
