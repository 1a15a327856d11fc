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
  section 197 of the MGA", "on the public agenda") with no `hints` after it and no disclosure
  before it: declining to discuss, or explaining the rules, is what the policy asks; either
  followed by "let's just say..." is a teaser, and "... that's all I'll say" after the
  disclosure does not undo it.

In the `topic_window_days` after a session with in-camera topics, a teaser (`teasers`: "draw
your own conclusions", "won't say who", "j'en dis pas plus") fires too: it tells readers there
is more from the closed room.

A topic is also named in other words: a sentence holding one of its telling words (its words
less `topic_generic_words`: "Northgate" of "litigation with Northgate Paving") together with a
`disclosure_markers` phrase ("told us last night", "lawyers", "counter-offer", "avis
juridique") or a sum of money or a percentage, within `topic_window_days` of the session.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property

from pydantic import Field

from auditor.dates import portable_strftime
from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, fold, in_link, lexicon, same_sentence, words_of
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
    topic_generic_words: list[str] = Field(default_factory=list)
    disclosure_markers: list[str] = Field(default_factory=list)
    topic_window_days: int = Field(60, ge=1)
    teasers: list[str] = Field(default_factory=list)


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

    @cached_property
    def _teasers(self) -> Lexicon:
        return Lexicon(self.params.teasers)

    @cached_property
    def _disclosures(self) -> Lexicon:
        return Lexicon(self.params.disclosure_markers)

    @cached_property
    def _generic(self) -> frozenset[str]:
        return frozenset(fold(w).text for w in self.params.topic_generic_words)

    def _telling_words(self, topic: str) -> tuple[str, ...]:
        words = self._telling.get(topic)
        if words is None:  # a handful of topics, asked about on every post: worked out once each
            words = self._telling[topic] = tuple(
                w for w in words_of(topic) if w.rstrip("*") not in self._generic and len(w) > 2)
        return words

    @cached_property
    def _telling(self) -> dict[str, tuple[str, ...]]:
        return {}

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        telling = {lexicon(self._telling_words(t)) for m in ctx.meetings for t in m.in_camera_topics}
        return [self._phrases, ctx.in_camera_topics, self._teasers, *sorted(telling, key=id)]

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
        if self._disclosed_before(folded, first):
            return False  # "...the mandate is way lower. That's all I'll say": said, then declined
        return not any(h.start > first for h in self._hints.finditer(folded))

    @staticmethod
    def _disclosed_before(folded: Folded, at: int) -> bool:
        """A sum or a share before the refusal: the figure is out whatever follows it."""
        return any(m.start() < at for m in _MONEY.finditer(folded.original))

    def _teaser(self, post: PostView, folded: Folded, ctx: AuditContext) -> Finding | None:
        if not self._teasers.may_match(folded):
            return None
        window = timedelta(days=self.params.topic_window_days)
        recent = [m for m in ctx.meetings if m.in_camera_topics and m.start <= post.created_at < m.start + window]
        match = self._teasers.search(folded) if recent else None
        if match is None:
            return None
        when = portable_strftime(recent[-1].start.astimezone(ctx.tz), "%-d %B %Y")
        return self.finding(
            post,
            f"Teases (\u201c{match.quote}\u201d) after the in-camera session of the {recent[-1].title.lower()} "
            f"on {when}: it hints at what was said there.",
            quoted(post, match),
            clause=self.params.topics_clause,
        )

    def _named_in_other_words(self, post: PostView, folded: Folded, ctx: AuditContext) -> Match | None:
        """A telling word of a recent session's topic beside a disclosure: "the lawyers think
        the library board has a weak case" for "legal opinion on the library board dispute"."""
        window = timedelta(days=self.params.topic_window_days)
        topics = {t for m in ctx.meetings if m.start <= post.created_at < m.start + window for t in m.in_camera_topics}
        if not topics:
            return None
        text = folded.original
        named = {t: lexicon(w) for t in sorted(topics) if (w := self._telling_words(t))}
        named = {t: words for t, words in named.items() if words.may_match(folded)}
        if not named:
            return None  # most posts: no telling word of a recent topic, nothing more to look at
        signals = list(self._disclosures.finditer(folded))
        signals += [Match("amount", m.start(), m.end(), m[0]) for m in _MONEY.finditer(text)]
        if not signals:
            return None
        for topic, words in named.items():
            for word in words.finditer(folded):
                if in_link(text, word):
                    continue
                if any(same_sentence(text, word, s) or _near(word, s) for s in signals):
                    return Match(topic, word.start, word.end, word.quote)
        return None

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        folded = ctx.folded(post)
        topics = ctx.in_camera_topics
        if not self._phrases.may_match(folded) and not topics.may_match(folded) and not ctx.meetings:
            return None
        for match in self._phrases.finditer(folded):
            if self._excused(folded, match):
                continue
            return self.finding(post, f"Mentions \u201c{match.quote}\u201d: in-camera or confidential "
                               "matters must not be shared.", quoted(post, match))
        named = list(topics.finditer(folded))
        if not named and (other := self._named_in_other_words(post, folded, ctx)) is not None:
            named = [other]
        if not named and (teaser := self._teaser(post, folded, ctx)) is not None:
            return teaser
        for topic in named:
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


# A sum or a share: "$2.1M", "2,1 M$", "40%", "30 cents on the dollar".
_MONEY = re.compile(
    r"\$\s?\d[\d,.]*\s?(?:[mk]\b|million|billion)?|\b\d[\d,.]*\s?(?:m\$|\$|%|cents?\b|million\b|k\b)",
    re.IGNORECASE,
)


def _near(a: Match, b: Match, chars: int = 120) -> bool:
    return abs(a.start - b.start) <= chars
