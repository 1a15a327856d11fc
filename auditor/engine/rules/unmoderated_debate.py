"""unmoderated-debate (E.7): a councillor drawn into a back-and-forth argument.

E.7: "engaging in debate or argument through un-moderated social media sites".

An exchange is a councillor's replies to one person in one thread (an X conversation, or
everything under one Facebook post). It is an argument when the councillor replies at least
`min_exchanges` times and either turns hostile once (`argument_phrases`: "get your facts
straight") or contradicts the person in two replies (`contradiction_phrases`: "that's not
true"). A contradiction softened in the same reply (`courteous_phrases`: "thanks for asking")
is an answer, not an argument. The finding quotes the first reply that argues.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import Rule, RuleParams, quoted
from auditor.engine.text import Lexicon, Match
from auditor.records import Finding, PostView, Severity


class UnmoderatedDebateParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.7"
    min_exchanges: int = Field(3, ge=2)
    argument_phrases: list[str] = Field(default_factory=lambda: ["you're wrong", "that's false"])
    contradiction_phrases: list[str] = Field(default_factory=list)
    contradictions_needed: int = Field(2, ge=1)
    courteous_phrases: list[str] = Field(default_factory=list)


def thread_of(post: PostView, ctx: AuditContext) -> str:
    """The conversation a reply belongs to: its X conversation, or the post at the top of its chain."""
    if post.conversation_id:
        return post.conversation_id
    top, seen = post, 0
    while (parent := ctx.parent(top)) is not None and seen < 100:
        if parent.conversation_id:
            return parent.conversation_id
        top, seen = parent, seen + 1
    return top.platform_id


class UnmoderatedDebate(Rule):
    id = "unmoderated-debate"
    title = "Argument with a resident in an unmoderated thread"
    Params = UnmoderatedDebateParams
    params: UnmoderatedDebateParams

    @cached_property
    def _arguing(self) -> Lexicon:
        return Lexicon(self.params.argument_phrases)

    @cached_property
    def _contradicting(self) -> Lexicon:
        return Lexicon(self.params.contradiction_phrases)

    @cached_property
    def _courteous(self) -> Lexicon:
        return Lexicon(self.params.courteous_phrases)

    def _argues(self, reply: PostView, ctx: AuditContext) -> tuple[str, Match] | None:
        """("hostile" | "contradicts", the words) for a reply that argues."""
        folded = ctx.folded(reply)
        hostile = self._arguing.search(folded)
        if hostile:
            return "hostile", hostile
        contradiction = self._contradicting.search(folded) if self._contradicting else None
        if contradiction and not (self._courteous and self._courteous.search(folded)):
            return "contradicts", contradiction
        return None

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        exchanges: dict[tuple[str, str, str, str], list[PostView]] = defaultdict(list)
        for post in ctx.posts:
            if post.councillor is None or post.kind != "reply":
                continue
            parent = ctx.parent(post)
            if parent is None or parent.councillor is not None or not parent.author_id:
                continue
            exchanges[(post.platform, post.author_account or "", thread_of(post, ctx), parent.author_id)].append(post)
        for (_, _, thread, other_id), replies in sorted(exchanges.items()):
            if len(replies) < self.params.min_exchanges:
                continue
            replies.sort(key=lambda p: p.created_at)
            arguing = [(reply, found) for reply in replies if (found := self._argues(reply, ctx))]
            hostile = any(kind == "hostile" for _, (kind, _) in arguing)
            if not hostile and len(arguing) < self.params.contradictions_needed:
                continue
            reply, (_, match) = arguing[0]
            other = ctx.parent(reply)
            who = (other.author_handle if other else None) or "the same person"
            finding = self.finding(
                reply,
                f"{len(replies)} replies to {who} in one thread, arguing (\u201c{match.quote}\u201d); "
                "take the discussion to a moderated channel.",
                quoted(reply, match),
            )
            yield replace(finding, subject=f"thread:{thread}:{other_id}")
