"""tone (F.1, F.4): insults, name-calling, profanity and contempt in a councillor's words.

Disagreement is not a fault: the lexicons hold words aimed at people, not at positions.
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
    clause: str = "F.1"
    insults: list[str] = Field(default_factory=lambda: ["idiot*", "moron*", "shut up"])
    profanity: list[str] = Field(default_factory=lambda: ["damn"])
    profanity_severity: Severity = "medium"


class Tone(PostRule):
    id = "tone"
    title = "Impolite or disrespectful language"
    Params = Params
    params: Params

    @cached_property
    def _insults(self) -> Lexicon:
        return Lexicon(self.params.insults)

    @cached_property
    def _profanity(self) -> Lexicon:
        return Lexicon(self.params.profanity)

    def check_post(self, post: PostView, ctx: AuditContext) -> Iterator[Finding]:
        folded = ctx.folded(post)
        match = self._insults.search(folded)
        if match:
            yield self.finding(post, f"Name-calling or contempt (\u201c{match.quote}\u201d): posts should "
                               "be polite, professional and respectful.", quoted(post, match))
            return
        match = self._profanity.search(folded)
        if match:
            yield self.finding(post, f"Profanity (\u201c{match.quote}\u201d): posts should be polite and "
                               "professional.", quoted(post, match), severity=self.params.profanity_severity)
