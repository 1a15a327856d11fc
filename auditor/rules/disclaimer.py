"""disclaimer (E, fourth paragraph): personal accounts on City business without saying so.

Judged per account: a personal account that posts about City business needs a clear
statement, in its profile or in the post, that the views are personal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from pydantic import Field

from auditor.context import AuditContext
from auditor.records import Finding, PostView, Severity
from auditor.rules.base import Rule, RuleParams, quoted
from auditor.text import Lexicon, fold


class Params(RuleParams):
    severity: Severity = "low"
    clause: str = "E.P4"
    city_business: list[str] = Field(default_factory=lambda: ["city council", "council meeting", "bylaw"])
    disclaimers: list[str] = Field(default_factory=lambda: ["views are my own", "personal views"])


class Disclaimer(Rule):
    id = "disclaimer"
    title = "Personal account on City business without a disclaimer"
    Params = Params
    params: Params

    @cached_property
    def _business(self) -> Lexicon:
        return Lexicon(self.params.city_business)

    @cached_property
    def _disclaimers(self) -> Lexicon:
        return Lexicon(self.params.disclaimers)

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        personal = {
            (a.platform, a.handle.lower()): a for a in ctx.accounts
            if a.kind == "personal" and a.councillor and not self._disclaimers.search(fold(a.profile))
        }
        flagged: set[tuple[str, str]] = set()
        for post in sorted(ctx.posts, key=lambda p: p.created_at):
            key = (post.platform, (post.author_account or "").lower())
            if key not in personal or key in flagged or post.kind == "repost":
                continue
            folded = ctx.folded(post)
            match = self._business.search(folded)
            if match and not self._disclaimers.search(folded):
                flagged.add(key)
                yield self._account_finding(post, quoted(post, match), match.quote)

    def _account_finding(self, post: PostView, evidence: str, topic: str) -> Finding:
        finding = self.finding(
            post,
            f"Personal account posts about City business (\u201c{topic}\u201d) without making clear, in "
            "its profile or the post, that the views are personal.",
            evidence,
        )
        # One finding per account: the first such post is the example, the account the subject.
        return replace(finding, subject="account")
