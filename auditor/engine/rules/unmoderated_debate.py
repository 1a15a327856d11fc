"""unmoderated-debate (E.7): a councillor drawn into a back-and-forth argument.

E.7: "engaging in debate or argument through un-moderated social media sites".

An exchange is a councillor's replies to one person in one thread (an X conversation, or
everything under one Facebook post); that person may be a resident or another councillor. Its
shape: how many times the councillor replied to the person, and how many times the person
answered the councillor back. It is an argument when

- the councillor replied at least `min_exchanges` times, and turned hostile once or contradicted
  the person in `contradictions_needed` replies; or
- the councillor replied at least `min_replies` times in a back-and-forth of at least
  `min_turns` turns (both sides counted), and turned hostile once.

Hostile: what the tone rule finds (insults, condescension, contempt aimed at the person,
profanity, sarcasm: its lists are given under `tone`), or an `argument_phrases` phrase ("get
your facts straight"). Contradicting: `contradiction_phrases` ("that's not true"), unless
softened in the same reply (`courteous_phrases`: "thanks for asking"). A thread under an
official City post is moderated by the City and is not judged here (see official-account-politics).
An exchange whose only hostility is sarcasm is reported at `uncertain_severity`. The finding
quotes the first reply that argues.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import Rule, RuleParams, quoted
from auditor.engine.rules.tone import Hostility, ToneParams
from auditor.engine.text import Lexicon, Match
from auditor.records import Finding, PostView, Severity


class UnmoderatedDebateParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.7"
    min_exchanges: int = Field(3, ge=2)
    min_replies: int = Field(2, ge=1)
    min_turns: int = Field(4, ge=2)
    argument_phrases: list[str] = Field(default_factory=lambda: ["you're wrong", "that's false"])
    contradiction_phrases: list[str] = Field(default_factory=list)
    contradictions_needed: int = Field(2, ge=1)
    courteous_phrases: list[str] = Field(default_factory=list)
    tone: ToneParams = Field(default_factory=ToneParams)
    uncertain_severity: Severity = "low"


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


def _root(post: PostView, ctx: AuditContext) -> PostView:
    top, seen = post, 0
    while (parent := ctx.parent(top)) is not None and seen < 100:
        top, seen = parent, seen + 1
    if top.conversation_id and top.conversation_id != top.platform_id:
        return ctx.post(top.platform, top.conversation_id) or top
    return top


class UnmoderatedDebate(Rule):
    id = "unmoderated-debate"
    title = "Argument in an unmoderated thread"
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

    @cached_property
    def _hostility(self) -> Hostility:
        return Hostility(self.params.tone)

    def _argues(self, reply: PostView, ctx: AuditContext) -> tuple[str, Match] | None:
        """("hostile" | "sarcastic" | "contradicts", the words) for a reply that argues."""
        folded = ctx.folded(reply)
        hostile = self._arguing.search(folded)
        if hostile:
            return "hostile", hostile
        judged = self._hostility.judge(folded, reply=True)
        if judged is not None:
            _, match, certain = judged
            return ("hostile" if certain else "sarcastic"), match
        contradiction = self._contradicting.search(folded) if self._contradicting else None
        if contradiction and not (self._courteous and self._courteous.search(folded)):
            return "contradicts", contradiction
        return None

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        Key = tuple[str, str, str, str]
        exchanges: dict[Key, list[PostView]] = defaultdict(list)
        answers: dict[Key, int] = defaultdict(int)  # the other person's replies to the councillor
        for post in ctx.posts:
            if post.kind not in ("reply", "comment"):
                continue
            parent = ctx.parent(post)
            if parent is None or not parent.author_id or not post.author_id or parent.author_id == post.author_id:
                continue
            if post.councillor is not None:
                if ctx.official(_root(post, ctx)):
                    continue  # the City moderates its own pages
                exchanges[(post.platform, post.author_id, thread_of(post, ctx), parent.author_id)].append(post)
            if parent.councillor is not None:
                answers[(post.platform, parent.author_id, thread_of(post, ctx), post.author_id)] += 1
        for key, replies in sorted(exchanges.items()):
            _, _, thread, other_id = key
            if len(replies) < min(self.params.min_exchanges, self.params.min_replies):
                continue
            replies.sort(key=lambda p: p.created_at)
            arguing = [(reply, found) for reply in replies if (found := self._argues(reply, ctx))]
            kinds = [kind for _, (kind, _) in arguing]
            turns = len(replies) + answers.get(key, 0)
            if len(replies) >= self.params.min_exchanges:
                argued = "hostile" in kinds or "sarcastic" in kinds or len(arguing) >= self.params.contradictions_needed
            else:
                argued = turns >= self.params.min_turns and ("hostile" in kinds or "sarcastic" in kinds)
            if not argued:
                continue
            certain = "hostile" in kinds or kinds.count("contradicts") >= self.params.contradictions_needed
            reply, (_, match) = next(((r, f) for r, f in arguing if f[0] != "contradicts"), arguing[0])
            other = ctx.parent(reply)
            who = (other.author_handle if other else None) or "the same person"
            finding = self.finding(
                reply,
                f"{len(replies)} replies to {who} in one thread ({turns} turns), arguing (\u201c{match.quote}\u201d); "
                "take the discussion to a moderated channel.",
                quoted(reply, match),
                severity=None if certain else self.params.uncertain_severity,
            )
            yield replace(finding, subject=f"thread:{thread}:{other_id}")
