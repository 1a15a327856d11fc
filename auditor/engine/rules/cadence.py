"""cadence (F.6): a councillor's account that has gone quiet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field

from auditor.dates import portable_strftime
from auditor.engine.context import AuditContext
from auditor.engine.rules.base import Rule, RuleParams
from auditor.records import Finding, PostView, Severity


class CadenceParams(RuleParams):
    severity: Severity = "low"
    clause: str = "F.6"
    max_quiet_days: int = Field(14, ge=1)


class Cadence(Rule):
    id = "cadence"
    title = "Account has not posted regularly"
    Params = CadenceParams
    params: CadenceParams

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        latest: dict[tuple[str, str], PostView] = {}
        for post in ctx.posts:
            if post.by_councillor and post.author_account and post.created_at <= ctx.now:
                key = (post.platform, post.author_account.lower())
                if key not in latest or post.created_at > latest[key].created_at:
                    latest[key] = post
        limit = timedelta(days=self.params.max_quiet_days)
        for account in ctx.accounts:
            if account.councillor is None:
                continue
            last = latest.get((account.platform, account.handle.lower()))
            if last is not None and ctx.now - last.created_at <= limit:
                continue
            if last is None:
                subject, evidence, reason, url, when = "no-posts", "", (
                    f"No posts captured from this account (expected at least one every "
                    f"{self.params.max_quiet_days} days)."), None, None
            else:
                day = last.created_at.astimezone(ctx.tz).date()
                quiet = (ctx.now - last.created_at).days
                subject = f"quiet-since:{day.isoformat()}"
                evidence = "last post " + portable_strftime(day, "%-d %B %Y")
                reason = f"No post for {quiet} days (expected at least one every {self.params.max_quiet_days})."
                url, when = last.url, last.created_at
            yield Finding(
                rule=self.id, severity=self.params.severity, clause=self.params.clause,
                platform=account.platform, account=account.handle, subject=subject, post_id=None,
                url=url, posted_at=when, evidence=evidence, reason=reason, councillor=account.councillor,
            )
