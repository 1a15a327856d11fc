"""Weekly and ad hoc reports: gather from the archive, build the model, render, write or queue."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from auditor.pipeline import build_context
from auditor.practice import PracticeFinder
from auditor.settings import Settings
from auditor.store import Store
from reports.mail import build_message
from reports.model import Report, build_report
from reports.period import Period
from reports.render import environment, render


@dataclass(frozen=True)
class RenderedReport:
    report: Report
    html: str
    text: str


def make_report(settings: Settings, store: Store, now: datetime, period: Period, *, title: str,
                councillor: str | None = None, account: str | None = None) -> RenderedReport:
    until = min(now, period.end)
    ctx = build_context(settings, store, until)
    scope = ", ".join(
        part for part in (f"councillor {councillor}" if councillor else "", f"account @{account}" if account else "")
        if part
    )
    report = build_report(
        council=settings.council.name, title=title, ctx=ctx, period=period,
        finding_rows=store.findings(), account_rows=store.accounts(),
        practice=PracticeFinder(settings.policy.good_practice), clauses=settings.policy.clauses,
        policy_name=settings.policy.name, config_path=str(settings.path), scope=scope,
        councillor_filter=councillor, account_filter=account,
    )
    report.generated_at = now.astimezone(settings.council.tz)
    env = environment()
    return RenderedReport(report, render(env, "weekly.html", r=report), render(env, "weekly.txt", r=report))


def write_report(rendered: RenderedReport, folder: Path, stem: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    html, text = folder / f"{stem}.html", folder / f"{stem}.txt"
    html.write_text(rendered.html, encoding="utf-8")
    text.write_text(rendered.text, encoding="utf-8")
    return html, text


def findings_csv(rendered: RenderedReport) -> bytes:
    """The period's findings as CSV for a spreadsheet: UTF-8 with BOM, ids as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "severity", "rule", "clause", "councillor", "platform", "account", "posted (council time)",
                     "reason", "evidence", "url", "status"])
    r = rendered.report
    for f in r.attention + r.other_findings + r.deleted:
        writer.writerow([f.id, f.severity, f.rule, f.clause, f.councillor, f.platform, f.account,
                         f.posted_at.strftime("%Y-%m-%d %H:%M") if f.posted_at else "", f.reason, f.evidence,
                         f.url or "", f.status])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def queue_weekly(settings: Settings, store: Store, rendered: RenderedReport, now: datetime) -> bool:
    """Queue the weekly email once per week: a second `--send` for the same week does nothing."""
    r = rendered.report
    key = f"weekly:{r.period.key}"
    high = r.severity_totals.get("high", 0)
    subject = f"{settings.council.name}: social media report, {r.period.label}" + (
        f" — {high} high finding{'s' if high != 1 else ''}" if high else "")
    message = build_message(
        key=key, sender=settings.email.from_, recipients=list(settings.email.weekly_to), subject=subject,
        text=rendered.text, html=rendered.html, date=now,
        attachments=[(f"findings-{r.period.key}.csv", "text/csv", findings_csv(rendered))],
    )
    with store.session() as session, session.begin():
        return store.enqueue(session, key, "weekly", list(settings.email.weekly_to), subject, message.as_string(), now)
