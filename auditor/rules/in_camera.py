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
        harmless = [(m.start, m.end) for m in self._harmless.finditer(folded)]
        for match in self._phrases.finditer(folded):
            if any(a <= match.start and match.end <= b for a, b in harmless):
                continue
            yield self.finding(post, f"Mentions \u201c{match.quote}\u201d: in-camera or confidential "
                               "matters must not be shared.", quoted(post, match))
            return
        for meeting in ctx.meetings:
            if post.created_at < meeting.start or not meeting.in_camera_topics:
                continue
            match = Lexicon(meeting.in_camera_topics).search(folded)
            if match:
                when = meeting.start.astimezone(ctx.tz).strftime("%-d %B %Y")
                yield self.finding(
                    post,
                    f"Discusses \u201c{match.phrase}\u201d, a subject of the in-camera session of "
                    f"the {meeting.title.lower()} on {when}.",
                    quoted(post, match),
                    clause=self.params.topics_clause,
                )
                return
