"""Weekly and ad hoc reports: gather from the archive, build the model, render, write or queue.

Charts are drawn once per report and used twice: the saved page carries them inside its
`<img src="data:...">` (it opens without a network), the weekly email carries the same PNG
bytes as inline parts its HTML names by `cid:` (multipart/related inside
multipart/alternative), beside the findings CSV. Image sources are made here, never from
post text, and the templates stay autoescaped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from auditor.archive.store import Store
from auditor.config.settings import Settings
from auditor.engine.context import AuditContext
from auditor.engine.practice import PracticeFinder
from auditor.engine.rules.response_time import ResponseTimeParams
from auditor.engine.text import Lexicon
from auditor.records import OutgoingMail
from auditor.service.cycle import build_context
from auditor.visible import visible
from reports.charts import Chart, weekly_charts
from reports.links import link_report
from reports.mail import build_message
from reports.model import Report, build_report
from reports.period import Period
from reports.render import environment, render
from reports.spreadsheet import csv_text


@dataclass(frozen=True)
class ChartImage:
    """What a template needs to show a chart: where its image is, and what it says."""

    src: str  # a data: URI for the page, or cid: for the email; made by code only
    alt: str
    title: str
    width: int
    height: int


@dataclass(frozen=True)
class RenderedReport:
    report: Report
    html: str  # the page: charts inside it as data: URIs
    text: str
    charts: tuple[Chart, ...] = ()
    email_html: str = ""  # the same page with charts as cid: references to inline parts
    content_ids: dict[str, str] = field(default_factory=dict)  # chart name -> Content-ID, with <>
    post_ids: dict[int, str | None] = field(default_factory=dict)  # finding id -> the platform's post id


def content_id(chart: Chart, period_key: str, sender: str) -> str:
    """A stable Content-ID: the same report week and chart always give the same one."""
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "localhost"
    local = re.sub(r"[^A-Za-z0-9.-]+", "-", f"{chart.name}.{period_key}").strip("-")
    return f"<{local}.auditor@{re.sub(r'[^A-Za-z0-9.-]+', '-', domain)[:80]}>"


def _images(charts: list[Chart], src: dict[str, str]) -> dict[str, ChartImage]:
    """Keyed by a template-friendly name: `posts`, `responses`."""
    names = {"posts-per-day": "posts", "response-times": "responses"}
    return {
        names.get(c.name, c.name.replace("-", "_")): ChartImage(src[c.name], c.alt, c.title, c.width, c.height)
        for c in charts
    }


def response_limit(settings: Settings) -> timedelta | None:
    params = settings.policy.rule_params("response-time", ResponseTimeParams)
    return timedelta(hours=params.max_hours) if params.enabled and params.max_hours else None


def make_report(settings: Settings, store: Store, now: datetime, period: Period, *, title: str,
                councillor: str | None = None, account: str | None = None, context: AuditContext | None = None,
                check_archive: bool = True) -> RenderedReport:
    """`context`: the one an audit just built as of the same moment, reused instead of reading the
    archive again. `check_archive`: recompute the capture chain for the report's archive line (the
    weekly report does; the ad hoc audit report leaves it to `auditor verify`)."""
    until = min(now, period.end)
    ctx = _context_until(context, until) if context is not None and context.now == until else None
    ctx = ctx or build_context(settings, store, until)
    scope = ", ".join(
        part for part in (f"councillor {councillor}" if councillor else "", f"account @{account}" if account else "")
        if part
    )
    finding_rows = store.findings()
    report = build_report(
        council=settings.council.name, title=title, ctx=ctx, period=period,
        finding_rows=finding_rows, account_rows=store.accounts(),
        practice=PracticeFinder(settings.policy.good_practice), clauses=settings.policy.clauses,
        policy_name=settings.policy.name, config_path=str(settings.path), scope=scope,
        councillor_filter=councillor, account_filter=account,
        decisions={d.finding_id: d for d in store.decisions()},  # ordered by time: the latest wins
        archive=store.chain() if check_archive else None,
        # Count residents' questions as the response-time rule does: rhetorical ones need no answer.
        rhetorical=Lexicon(settings.policy.rule_params("response-time", ResponseTimeParams).rhetorical),
    )
    report.generated_at = now.astimezone(settings.council.tz)
    link_report(report, settings.web.base_url)  # each finding links to its web page, when the app is served
    charts = weekly_charts(report, response_limit(settings))
    cids = {c.name: content_id(c, period.key, settings.email.from_) for c in charts}
    env = environment(settings.templates_dir)
    page = render(env, "weekly.html", r=report, charts=_images(charts, {c.name: c.data_uri() for c in charts}))
    email = render(env, "weekly.html", r=report,
                   charts=_images(charts, {name: "cid:" + cid.strip("<>") for name, cid in cids.items()}))
    text = render(env, "weekly.txt", r=report, charts=_images(charts, {c.name: "" for c in charts}))
    post_ids = {row.id: row.post_id for row in finding_rows}
    return RenderedReport(report, page, text, tuple(charts), email, cids, post_ids)


def _context_until(ctx: AuditContext, until: datetime) -> AuditContext:
    """The audit's context as `build_context(..., until)` would read it: no post after `until`."""
    if all(post.created_at <= until for post in ctx.posts):
        return ctx
    return AuditContext(now=ctx.now, tz=ctx.tz, posts=[post for post in ctx.posts if post.created_at <= until],
                        accounts=ctx.accounts, meetings=ctx.meetings, emergencies=ctx.emergencies,
                        preferred_platforms=ctx.preferred_platforms)  # fresh: no index of the wider archive


def write_report(rendered: RenderedReport, folder: Path, stem: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    html, text = folder / f"{stem}.html", folder / f"{stem}.txt"
    # Each written whole, then renamed over the old one: a full disk never leaves a 0-byte report
    # where a good one was. The .txt shows control characters from posts as escapes (\x1b).
    _replace_file(html, rendered.html)
    _replace_file(text, visible(rendered.text))
    return html, text


def _replace_file(path: Path, content: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def findings_csv(rendered: RenderedReport) -> bytes:
    """The period's findings as CSV for a spreadsheet: UTF-8 with BOM, ids as text.

    Every text field is quoted, the platform's post id included, so a spreadsheet that honours
    quotes keeps a 19-digit id as written instead of rounding it to 1.858E+18.
    """
    header = ["id", "severity", "rule", "clause", "councillor", "platform", "account", "post id",
              "posted (council time)", "reason", "evidence", "url", "status"]
    r = rendered.report
    rows = [
        dict(zip(header, [f.id, f.severity, f.rule, f.clause, f.councillor, f.platform, f.account,
                          rendered.post_ids.get(f.id) or "", f.posted_at.strftime("%Y-%m-%d %H:%M") if f.posted_at
                          else "", f.reason, f.evidence, f.url or "", f.status], strict=True))
        for f in r.attention + r.other_findings + r.deleted
    ]
    return csv_text(header, rows).encode("utf-8")


def queue_weekly(settings: Settings, store: Store, rendered: RenderedReport, now: datetime) -> bool:
    """Queue the weekly email once per week: a second `--send` for the same week does nothing."""
    r = rendered.report
    key = f"weekly:{r.period.key}"
    high = r.severity_totals.get("high", 0)
    subject = f"{settings.council.name}: social media report, {r.period.label}" + (
        f" — {high} high finding{'s' if high != 1 else ''}" if high else "")
    message = weekly_message(settings, rendered, key=key, subject=subject, now=now)
    mail = OutgoingMail(key, "weekly", list(settings.email.weekly_to), subject, message.as_string())
    return store.queue_mail(mail, now)


def weekly_message(settings: Settings, rendered: RenderedReport, *, key: str, subject: str,
                   now: datetime) -> EmailMessage:
    """multipart/mixed: [multipart/alternative: text, multipart/related: HTML + chart PNGs], findings CSV."""
    r = rendered.report
    message = build_message(
        key=key, sender=settings.email.from_, recipients=list(settings.email.weekly_to), subject=subject,
        text=rendered.text, html=rendered.email_html or rendered.html, date=now,
        attachments=[(f"findings-{r.period.key}.csv", "text/csv", findings_csv(rendered))],
    )
    if rendered.email_html and rendered.charts:
        html_part = message.get_body(("html",))
        assert html_part is not None and html_part.get_content_type() == "text/html"
        for chart in rendered.charts:
            # add_related turns the text/html part into multipart/related with the page first.
            html_part.add_related(chart.png, maintype="image", subtype="png", cid=rendered.content_ids[chart.name],
                                  filename=f"{chart.name}.png", disposition="inline")
    return message
