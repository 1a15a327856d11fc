"""in-camera (E.4, E.5): in-camera or confidential matters, and subjects of private meetings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from pydantic import Field

from auditor.context import AuditContext
from auditor.records import Finding, PostView, Severity
from auditor.rules.base import PostRule, RuleParams, quoted
from auditor.text import Lexicon


class Params(RuleParams):
    severity: Severity = "high"
    clause: str = "E.4"
    topics_clause: str = "E.5"
    phrases: list[str] = Field(default_factory=lambda: ["in camera", "closed session", "confidential"])
    # Phrases that make a match harmless when they stand right around it ("confidential tip line").
    harmless: list[str] = Field(default_factory=list)


class InCamera(PostRule):
    id = "in-camera"
    title = "In-camera or confidential information"
    Params = Params
    params: Params

    @cached_property
    def _phrases(self) -> Lexicon:
        return Lexicon(self.params.phrases)

    @cached_property
    def _harmless(self) -> Lexicon:
        return Lexicon(self.params.harmless)

    def check_post(self, post: PostView, ctx: AuditContext) -> Iterator[Finding]:
        folded = ctx.folded(post)
        for match in self._phrases.finditer(folded):
            if self._harmless and any(h.start <= match.start and match.end <= h.end
                                      for h in self._harmless.finditer(folded)):
                continue
            yield self.finding(post, f"Mentions \u201c{match.quote}\u201d: in-camera or confidential "
                               "matters must not be shared.", quoted(post, match))
            return
        topic = ctx.in_camera_topics.search(folded)
        if topic is None:
            return
        held = [m for m in ctx.meetings if m.start <= post.created_at and topic.phrase in m.in_camera_topics]
        if held:
            meeting = held[-1]
            when = meeting.start.astimezone(ctx.tz).strftime("%-d %B %Y")
            yield self.finding(
                post,
                f"Discusses \u201c{topic.phrase}\u201d, a subject of the in-camera session of the "
                f"{meeting.title.lower()} on {when}.",
                quoted(post, topic),
                clause=self.params.topics_clause,
            )
