"""emergency-protocol (E.8): a councillor's own words on an active emergency.

During a configured emergency window, information should come through the City's channels:
sharing or reposting the City's own posts is within protocol; original posts on the
emergency's topics are not.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.context import AuditContext
from auditor.records import Finding, PostView, Severity
from auditor.rules.base import PostRule, RuleParams, quoted
from auditor.text import lexicon


class Params(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.8"
    # Words that show a post points people to the City's channel rather than informing itself.
    deferring_phrases: list[str] = Field(default_factory=lambda: ["follow the city", "official updates"])


class EmergencyProtocol(PostRule):
    id = "emergency-protocol"
    title = "Emergency information outside the City's protocol"
    Params = Params
    params: Params
    skip_reposts = False

    def check_post(self, post: PostView, ctx: AuditContext) -> Iterator[Finding]:
        active = [e for e in ctx.emergencies if e.start <= post.created_at < e.end and e.topics]
        if not active:
            return
        if post.kind in ("repost", "quote") and ctx.official(ctx.parent(post)):
            return  # sharing the City's own message is the protocol
        folded = ctx.folded(post)
        if lexicon(tuple(self.params.deferring_phrases)).search(folded):
            return
        for emergency in active:
            match = lexicon(emergency.topics).search(folded)
            if match:
                yield self.finding(post, f"Posts about \u201c{match.phrase}\u201d while the Municipal "
                                   "Emergency Plan is active, instead of sharing the City's updates.",
                                   quoted(post, match))
                return
