"""in-camera (E.4, E.5): in-camera or confidential matters, and subjects of private meetings.

E.4: "posting information related to in-camera or confidential municipal information".
E.5: "engaging in discussion or sharing information on subjects pertaining to private (in
camera) meetings".

A post fires when it uses an in-camera or confidentiality marker (`phrases`), or names a
meeting's configured in-camera topic after that meeting began, unless the words around it show
it is harmless:

- `harmless` words in the same sentence: the confidentiality of a public service ("free and
  confidential counselling") or a negation ("no longer confidential");
- a `refusals` phrase ("I can't comment on in-camera matters") or a `procedure` phrase ("per
  section 197 of the MGA", "on the public agenda") anywhere in the post, with no `hints` after
  it: declining to discuss, or explaining the rules, is what the policy asks; either followed
  by "let's just say..." is a teaser.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import Field

from auditor.dates import portable_strftime
from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, in_link, same_sentence
from auditor.records import Finding, PostView, Severity


class InCameraParams(RuleParams):
    severity: Severity = "high"
    clause: str = "E.4"
    topics_clause: str = "E.5"
    phrases: list[str] = Field(default_factory=lambda: ["in camera", "closed session", "confidential"])
    harmless: list[str] = Field(default_factory=list)
    procedure: list[str] = Field(default_factory=list)
    refusals: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)


class InCamera(PostRule):
    id = "in-camera"
    title = "In-camera or confidential information"
    Params = InCameraParams
    params: InCameraParams

    @cached_property
    def _phrases(self) -> Lexicon:
        return Lexicon(self.params.phrases)

    @cached_property
    def _harmless(self) -> Lexicon:
        return Lexicon(self.params.harmless)

    @cached_property
    def _refusals(self) -> Lexicon:
        return Lexicon([*self.params.refusals, *self.params.procedure])

    @cached_property
    def _hints(self) -> Lexicon:
        return Lexicon(self.params.hints)

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        return [self._phrases, ctx.in_camera_topics]

    def _excused(self, folded: Folded, match: Match) -> bool:
        """Is this mention harmless in its sentence, or covered by a refusal or the procedure?"""
        if in_link(folded.original, match):
            return True  # "leduc.ca/huis-clos": a page's address, not the councillor's words
        if any(same_sentence(folded.original, match, h) for h in self._harmless.finditer(folded)):
            return True
        refusals = list(self._refusals.finditer(folded))
        if not refusals:
            return False
        first = min(r.start for r in refusals)
        return not any(h.start > first for h in self._hints.finditer(folded))

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        folded = ctx.folded(post)
        topics = ctx.in_camera_topics
        if not self._phrases.may_match(folded) and not topics.may_match(folded):
            return None
        for match in self._phrases.finditer(folded):
            if self._excused(folded, match):
                continue
            return self.finding(post, f"Mentions \u201c{match.quote}\u201d: in-camera or confidential "
                               "matters must not be shared.", quoted(post, match))
        for topic in topics.finditer(folded):
            held = [m for m in ctx.meetings if m.start <= post.created_at and topic.phrase in m.in_camera_topics]
            if not held or self._excused(folded, topic):
                continue
            meeting = held[-1]
            when = portable_strftime(meeting.start.astimezone(ctx.tz), "%-d %B %Y")
            return self.finding(
                post,
                f"Discusses \u201c{topic.phrase}\u201d, a subject of the in-camera session of the "
                f"{meeting.title.lower()} on {when}.",
                quoted(post, topic),
                clause=self.params.topics_clause,
            )
        return None
