"""official-account-politics (E.9): campaigning or personal politics in comments on City accounts.

The same words on the councillor's own account are not this fault; only comments or replies
under a post of an official City account are checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from pydantic import Field

from auditor.context import AuditContext
from auditor.records import Finding, PostView, Severity
from auditor.rules.base import PostRule, RuleParams, quoted
from auditor.text import Lexicon


class Params(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.9"
    phrases: list[str] = Field(default_factory=lambda: ["vote for me", "re-elect", "my campaign"])


class OfficialAccountPolitics(PostRule):
    id = "official-account-politics"
    title = "Politics or campaigning on an official City account"
    Params = Params
    params: Params

    @cached_property
    def _phrases(self) -> Lexicon:
        return Lexicon(self.params.phrases)

    def _on_city_account(self, post: PostView, ctx: AuditContext) -> bool:
        if post.kind not in ("comment", "reply"):
            return False
        feed = ctx.account(post.platform, post.feed_account)
        return (feed is not None and feed.kind == "official-city") or ctx.official(ctx.parent(post))

    def check_post(self, post: PostView, ctx: AuditContext) -> Iterator[Finding]:
        if not self._on_city_account(post, ctx):
            return
        match = self._phrases.search(ctx.folded(post))
        if match:
            yield self.finding(post, f"Comment on an official City account promotes a personal or "
                               f"political position (\u201c{match.quote}\u201d).", quoted(post, match))
