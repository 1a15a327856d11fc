"""tone (F.1, F.4): insults, name-calling, profanity and contempt in a councillor's words.

F.1: "Post information in a polite and professional manner." F.4: "Listen to dissenting
opinions and respond in a respectful manner."

Disagreement is not a fault; contempt for people is. Three lists:

- `insults` are aimed at people by nature ("idiot", "liar", "bunch of clowns"): always fire;
- `contempt` words ("stupid", "pathetic", "incompetent", "a disgrace") fire only when aimed at
  someone: a `targets` word ("you", "the mayor", "people", an @handle) within `target_window`
  words in the same sentence. "The province's funding formula is a disgrace" is disagreement;
  "you're pathetic" is contempt;
- `profanity` fires wherever it stands (severity `profanity_severity`).

`harmless` phrases excuse what they contain ("there are no stupid questions", "April fools").
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, in_link, sentence, word_count, words_apart
from auditor.records import Finding, PostView, Severity


class ToneParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "F.1"
    insults: list[str] = Field(default_factory=lambda: ["idiot*", "moron*", "shut up"])
    contempt: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=lambda: ["you", "your"])
    target_window: int = Field(4, ge=0)
    harmless: list[str] = Field(default_factory=list)
    profanity: list[str] = Field(default_factory=lambda: ["damn"])
    profanity_severity: Severity = "medium"


class Tone(PostRule):
    id = "tone"
    title = "Impolite or disrespectful language"
    Params = ToneParams
    params: ToneParams

    @cached_property
    def _insults(self) -> Lexicon:
        return Lexicon(self.params.insults)

    @cached_property
    def _contempt(self) -> Lexicon:
        return Lexicon(self.params.contempt)

    @cached_property
    def _targets(self) -> Lexicon:
        return Lexicon(self.params.targets)

    @cached_property
    def _harmless(self) -> Lexicon:
        return Lexicon(self.params.harmless)

    @cached_property
    def _profanity(self) -> Lexicon:
        return Lexicon(self.params.profanity)

    @cached_property
    def _any(self) -> Lexicon:
        """All three lists at once: one cheap question per post, most of which match none."""
        return Lexicon([*self.params.insults, *self.params.contempt, *self.params.profanity])

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        return [self._any]

    def _first(self, lexicon: Lexicon, folded: Folded, harmless: list[Match]) -> Iterator[Match]:
        for match in lexicon.finditer(folded):
            if not any(h.start <= match.start and match.end <= h.end for h in harmless) and not in_link(
                folded.original, match
            ):
                yield match

    def _aimed(self, folded: Folded, match: Match, targets: list[Match]) -> bool:
        """Is someone named near the word, in its sentence? A verdict standing as a sentence of its
        own ("Enjoy being irrelevant, pal. Pathetic.") is aimed at whoever the sentence before names."""
        text = folded.original
        near = [t for t in targets
                if words_apart(text, match, t) <= self.params.target_window and not t.start <= match.start < t.end]
        start, end = sentence(text, match.start, match.end)
        if any(start <= t.start < end for t in near):
            return True
        if start == 0 or word_count(text, start, end) > 2:
            return False
        before = start - 1
        while before > 0 and (text[before].isspace() or text[before] in ".!?\u2026"):
            before -= 1
        first, last = sentence(text, before, before + 1)
        return any(first <= t.start < last for t in near)

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        folded = ctx.folded(post)
        if not self._any.may_match(folded):
            return None
        harmless = self._harmless.finditer(folded)
        match = next(self._first(self._insults, folded, harmless), None)
        if match:
            return self.finding(post, f"Name-calling or contempt (\u201c{match.quote}\u201d): posts should "
                                "be polite, professional and respectful.", quoted(post, match))
        if self._contempt.may_match(folded):
            targets = self._targets.finditer(folded)
            match = next((m for m in self._first(self._contempt, folded, harmless)
                          if self._aimed(folded, m, targets)), None)
            if match:
                return self.finding(post, f"Contempt aimed at people (\u201c{match.quote}\u201d): disagree "
                                    "with positions, respectfully.", quoted(post, match))
        match = next(self._first(self._profanity, folded, harmless), None)
        if match:
            return self.finding(post, f"Profanity (\u201c{match.quote}\u201d): posts should be polite and "
                                "professional.", quoted(post, match), severity=self.params.profanity_severity)
        return None
