"""disclaimer (E.P4, section E's fourth paragraph): personal accounts on City business without saying so.

E.P4: "Care should be taken when posting statements to social media to ensure clarity amongst
the audience that views expressed are either purely personal or where authorized as
representative of the City of Leduc."

Judged per account: a personal account that posts about City business (`city_business`) needs
a clear statement, in its profile or in the post, that the views are personal (`disclaimers`).
A match overlapping a `not_business` phrase is someone else's business ("student council meeting").
Representative accounts speak for the office and are not asked. One finding per account, on
its first such post.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import Rule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, fold
from auditor.records import Finding, PostView, Severity


class DisclaimerParams(RuleParams):
    severity: Severity = "low"
    clause: str = "E.P4"
    city_business: list[str] = Field(default_factory=lambda: ["city council", "council meeting", "bylaw"])
    disclaimers: list[str] = Field(default_factory=lambda: ["views are my own", "personal views"])
    not_business: list[str] = Field(default_factory=list)


class Disclaimer(Rule):
    id = "disclaimer"
    title = "Personal account on City business without a disclaimer"
    Params = DisclaimerParams
    params: DisclaimerParams

    @cached_property
    def _business(self) -> Lexicon:
        return Lexicon(self.params.city_business)

    @cached_property
    def _disclaimers(self) -> Lexicon:
        return Lexicon(self.params.disclaimers)

    @cached_property
    def _not_business(self) -> Lexicon:
        return Lexicon(self.params.not_business)

    def _business_match(self, folded: Folded) -> Match | None:
        others = list(self._not_business.finditer(folded)) if self._not_business else []
        return next((m for m in self._business.finditer(folded)
                     if not any(o.start < m.end and m.start < o.end for o in others)), None)

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        personal = {
            (a.platform, a.handle.lower()): a for a in ctx.accounts
            if a.kind == "personal" and a.councillor and not self._disclaimers.search(fold(a.profile))
        }
        flagged: set[tuple[str, str]] = set()
        if not personal:
            return
        mine = [p for p in ctx.posts if p.author_account and p.kind != "repost"
                and (p.platform, p.author_account.lower()) in personal]
        for post in sorted(mine, key=lambda p: p.created_at):
            key = (post.platform, (post.author_account or "").lower())
            if key in flagged:
                continue
            folded = ctx.folded(post)
            match = self._business_match(folded)
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
