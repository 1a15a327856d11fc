"""What a report says, computed from the archive before any template sees it (pure).

The weekly report, the ad hoc audit report and the alert emails share these records, so the
same figure is never computed twice in two places.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from auditor.dates import portable_strftime
from auditor.engine.context import AuditContext
from auditor.engine.interactions import questions
from auditor.engine.practice import LABELS, PracticeFinder
from auditor.engine.rules import REGISTRY
from auditor.engine.text import Lexicon
from auditor.records import (
    SEVERITIES,
    AccountRecord,
    ChainReport,
    Decision,
    PostView,
    StoredFinding,
    severity_rank,
)
from reports.period import Period

LONG_TEXT = 600  # characters shown before a post is folded


@dataclass(frozen=True)
class FindingItem:
    id: int
    rule: str
    title: str
    severity: str
    clause: str
    clause_text: str
    councillor: str
    account: str
    platform: str
    posted_at: datetime | None  # council time
    text: str
    evidence: str
    reason: str
    url: str | None
    status: str
    found_at: datetime  # council time
    review: str = ""  # the latest reviewer's decision, in words
    link: str = ""  # the finding's page in the web app, when `web.base_url` is set

    @property
    def text_is_long(self) -> bool:
        return len(self.text) > LONG_TEXT

    @property
    def text_head(self) -> str:
        return self.text[:LONG_TEXT]

    @property
    def text_tail(self) -> str:
        return self.text[LONG_TEXT:]

    def evidence_parts(self) -> tuple[str, str, str]:
        """The shown text split around the evidence, so templates can highlight it escaped."""
        quote = self.evidence.strip("…").strip()
        shown = self.text_head if self.text else ""
        at = shown.find(quote) if quote else -1
        if at < 0:
            return shown, "", ""
        return shown[:at], quote, shown[at + len(quote) :]


@dataclass
class CouncillorRow:
    name: str
    role: str
    accounts: list[str]
    posts: int = 0
    replies: int = 0
    questions: int = 0
    answered: int = 0
    median_response: timedelta | None = None
    last_post: datetime | None = None
    severities: Counter[str] = field(default_factory=Counter)
    practice: Counter[str] = field(default_factory=Counter)
    per_day: list[int] = field(default_factory=list)
    response_times: list[timedelta] = field(default_factory=list)


@dataclass(frozen=True)
class CaptureRow:
    platform: str
    handle: str
    owner: str
    last_success: datetime | None
    status: str  # ok | degraded | never
    problem: str
    advice: str


@dataclass(frozen=True)
class Example:
    councillor: str
    platform: str
    kind: str
    text: str
    url: str | None
    posted_at: datetime


@dataclass
class Report:
    council: str
    title: str
    period: Period
    generated_at: datetime
    scope: str  # "" for the whole council, else the slice
    glance: list[tuple[str, str, str]]  # (figure, label, tone)
    attention: list[FindingItem]
    other_findings: list[FindingItem]
    councillors: list[CouncillorRow]
    days: list[datetime]
    examples: list[Example]
    capture: list[CaptureRow]
    deleted: list[FindingItem]
    policy_name: str
    config_path: str
    severity_totals: Counter[str]
    max_per_day: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    archive: ChainReport | None = None  # the capture chain's state when the report was made


def describe_wait(delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    minutes = delta.total_seconds() / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 72 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def describe_decision(decision: Decision, tz: tzinfo) -> str:
    when = portable_strftime(decision.at.astimezone(tz), "%-d %b %Y")
    return f"{decision.action} by {decision.by} on {when}" + (f": {decision.note}" if decision.note else "")


def finding_item(
    row: StoredFinding, text: str, tz: tzinfo, clauses: dict[str, str], decision: Decision | None = None
) -> FindingItem:
    """A stored finding with its post's text, ready for a template."""
    rule = REGISTRY.get(row.rule)
    return FindingItem(
        id=row.id,
        rule=row.rule,
        title=rule.title if rule else row.rule,
        severity=row.severity,
        clause=row.clause,
        clause_text=clauses.get(row.clause, ""),
        councillor=row.councillor or "",
        account=row.account,
        platform=row.platform,
        posted_at=row.posted_at.astimezone(tz) if row.posted_at else None,
        text=text,
        evidence=row.evidence,
        reason=row.reason,
        url=row.url,
        status=row.status,
        found_at=row.first_found.astimezone(tz),
        review=describe_decision(decision, tz) if decision is not None else "",
    )


def _text(posts: dict[tuple[str, str], PostView], row: StoredFinding) -> str:
    post = posts.get((row.platform, row.post_id)) if row.post_id else None
    return post.text if post else ""


def _in_scope(row: StoredFinding, period: Period) -> bool:
    if row.post_id is not None:
        return period.contains(row.posted_at)
    # Account-level findings (a quiet account, a platform) count while they are current.
    return row.last_found >= period.start and row.first_found < period.end + timedelta(days=7)


def build_report(
    *,
    council: str,
    title: str,
    ctx: AuditContext,
    period: Period,
    finding_rows: list[StoredFinding],
    account_rows: list[AccountRecord],
    practice: PracticeFinder,
    clauses: dict[str, str],
    policy_name: str,
    config_path: str,
    scope: str = "",
    councillor_filter: str | None = None,
    account_filter: str | None = None,
    decisions: dict[int, Decision] | None = None,
    archive: ChainReport | None = None,
    rhetorical: Lexicon | None = None,
) -> Report:
    tz = ctx.tz

    def wanted_account(platform: str, handle: str | None, councillor: str | None) -> bool:
        if councillor_filter and (councillor or "").lower() != councillor_filter.lower():
            return False
        return not (account_filter and (handle or "").lower() != account_filter.lower())

    posts_by_id = {(p.platform, p.platform_id): p for p in ctx.posts}
    items = [
        finding_item(r, _text(posts_by_id, r), tz, clauses, (decisions or {}).get(r.id))
        for r in finding_rows
        if _in_scope(r, period) and wanted_account(r.platform, r.account, r.councillor)
    ]
    items.sort(key=lambda f: (-severity_rank(f.severity), -(f.posted_at or f.found_at).timestamp()))
    attention = [f for f in items if f.severity in ("high", "medium") and f.rule != "deleted-post"]
    needing = {id(f) for f in attention}  # a set: a list here made the report quadratic in findings
    others = [f for f in items if id(f) not in needing and f.rule != "deleted-post"]
    deleted = [f for f in items if f.rule == "deleted-post"]

    days = [datetime.combine(d, datetime.min.time(), tz) for d in period.days()]
    rows: dict[str, CouncillorRow] = {}
    for account in ctx.accounts:
        if account.councillor and wanted_account(account.platform, account.handle, account.councillor):
            row = rows.setdefault(
                account.councillor, CouncillorRow(account.councillor, "", [], per_day=[0] * len(days))
            )
            row.accounts.append(f"{account.platform}/{account.handle}")
    examples: list[Example] = []
    for post in ctx.posts:
        if not post.by_councillor or post.councillor not in rows or not period.contains(post.created_at):
            continue
        if not wanted_account(post.platform, post.author_account, post.councillor):
            continue
        row = rows[post.councillor]
        local = post.created_at.astimezone(tz)
        if post.kind in ("reply", "comment"):
            row.replies += 1
        else:
            row.posts += 1
            if len(days) <= 62:
                row.per_day[(local.date() - period.start.date()).days] += 1
        row.last_post = max(row.last_post, local) if row.last_post else local
        for kind in practice.kinds(post, ctx):
            row.practice[kind] += 1
            if len(examples) < 6 and all(e.text != post.text for e in examples):
                examples.append(Example(post.councillor or "", post.platform, LABELS[kind], post.text, post.url, local))
    for q in questions(ctx, rhetorical):
        if (
            q.councillor in rows
            and period.contains(q.question.created_at)
            and wanted_account(q.question.platform, q.account, q.councillor)
        ):
            row = rows[q.councillor]
            row.questions += 1
            if q.answer is not None:
                row.answered += 1
                row.response_times.append(q.waited(ctx.now))
    for row in rows.values():
        row.median_response = _median(row.response_times) if row.response_times else None
    for item in items:
        if item.councillor in rows:
            rows[item.councillor].severities[item.severity] += 1

    totals = Counter(f.severity for f in items)
    all_waits = [w for r in rows.values() for w in r.response_times]
    asked = sum(r.questions for r in rows.values())
    answered = sum(r.answered for r in rows.values())
    capture = _capture(account_rows, period, wanted_account)
    not_captured = sum(1 for c in capture if c.status != "ok")
    glance = (
        [
            (str(sum(r.posts for r in rows.values())), "posts by councillors", "plain"),
            (f"{answered} of {asked}", "residents' questions answered", "plain"),
            (describe_wait(_median(all_waits) if all_waits else None), "median time to answer", "plain"),
        ]
        + [(str(totals.get(s, 0)), f"{s} findings", s) for s in reversed(SEVERITIES) if s != "info"]
        + [
            (str(not_captured), "accounts not captured", "warn" if not_captured else "plain"),
        ]
    )
    return Report(
        council=council,
        title=title,
        period=period,
        generated_at=ctx.now.astimezone(tz),
        scope=scope,
        glance=glance,
        attention=attention,
        other_findings=others,
        councillors=list(rows.values()),
        days=days,
        examples=examples,
        capture=capture,
        deleted=deleted,
        policy_name=policy_name,
        config_path=config_path,
        severity_totals=totals,
        archive=archive,
        max_per_day=max([1] + [n for r in rows.values() for n in r.per_day]),
        extra={
            "longest_wait": max(
                [1.0] + [r.median_response.total_seconds() for r in rows.values() if r.median_response is not None]
            )
        },
    )


def _median(waits: list[timedelta]) -> timedelta:
    """statistics.median, for durations: the middle one, or the mean of the middle two."""
    ordered = sorted(waits)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _capture(
    account_rows: list[AccountRecord], period: Period, wanted: Callable[[str, str | None, str | None], bool]
) -> list[CaptureRow]:
    out = []
    for account in account_rows:
        if not wanted(account.platform, account.handle, account.councillor):
            continue
        last = account.last_success_at.astimezone(period.start.tzinfo) if account.last_success_at else None
        if account.last_error:
            advice = account.last_error_advice or "See the output of `auditor run`."
            status, problem, advice = "degraded", account.last_error, advice
        elif last is None:
            status, problem, advice = "never", "never captured", "Run `auditor run`, then check its output."
        else:
            status, problem, advice = "ok", "", ""
        owner = account.councillor or ("Official City account" if account.kind == "official-city" else "")
        out.append(CaptureRow(account.platform, account.handle, owner, last, status, problem, advice))
    return out


def severity_order(items: list[FindingItem]) -> dict[str, list[FindingItem]]:
    grouped: dict[str, list[FindingItem]] = defaultdict(list)
    for item in items:
        grouped[item.severity].append(item)
    return grouped
