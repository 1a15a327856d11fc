"""emergency-protocol (E.8): a councillor's own information on an active emergency.

E.8: "posting information on emergency situations outside of the City's communication
protocol outlined by the City of Leduc's Municipal Emergency Plan".

During a configured emergency window, information should come through the City's channels.
A councillor's post is about the emergency when it names one of its topics or aliases (or a
topic's telling words: "boil water" for "boil water advisory", "Deer Valley" for "evacuation
of Deer Valley", abbreviated or not: "Hwy 2" for "Highway 2"), or uses the words of any
emergency (`emergency_terms`: flood, evacuation, shelter, boil water, power outage, smoke…,
in English and French). It fires when it also carries information: an `information_phrases`
word ("closed", "until", "I'm told", "on m'a dit", "d'après") or a fact ("6 pm", "9h",
"50 Ave", "Twp Rd 510", "Hwy 2A", "west of", "Rollyview Rd", "20 cm", "call 911").
Thoughts, thanks and offers of help name the emergency without informing about it.

Uncertain cases are `uncertain_severity` (low): information on closures, responders or damage
(`emergency_hints`: "school is closed", "plows", "firefighter") with no emergency word, and a
reply that informs in a thread about the emergency without naming it ("Southfork is fine,
I'm told" under a boil-water post).

Exceptions:

- a repost of an official City post is the protocol itself; a quote of one is judged on the
  councillor's own added words;
- words that send people to the City's channel (`deferring_phrases`: "follow the City's
  official updates", "suivez la Ville"), or a mention of a City account ("per @CityofLeduc").

A repost of anyone else's post on the topic (a newspaper, a neighbour's photos) fires: it
spreads emergency information outside the protocol.

Cost: nothing outside an emergency window; inside one, a few lexicon searches per post.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from pydantic import Field

from auditor.engine.context import AuditContext, EmergencyInfo
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, fold, lexicon
from auditor.engine.text.lexicon import _COMMON, _words
from auditor.records import Finding, PostView, Severity

# A number that says when, where or how much: "6 pm", "7am", "10:30", "9h", "50 Ave", "43e
# avenue", "20 cm", "2 days"; a rural or numbered road ("Twp Rd 510", "RR 250", "Hwy 2A",
# "autoroute 2", "QEII"); a direction from a place ("west of"); a number to call. A bare count
# ("4,000 sandbags") is not information about the emergency.
_FACT = re.compile(
    r"\b\d+(?:[:h]\d\d)?\s*(?:a\.?m\b|p\.?m\b|h\b)|\b\d{1,2}:\d\d\b"
    r"|\b\d+(?:e|th|st|nd|rd)?\s+(?:ave|avenue|av|st|street|rue|rd|road|dr|drive|blvd|hwy|highway|cres|way)\b"
    r"|\b\d+(?:[.,]\d+)?\s*(?:cm|mm|m|km|hours?|hrs?|days?|heures?|jours?|minutes?|mins?)\b"
    r"|\b(?:twp|township|rge|range|rr|hwy|highway|sh|secondary\s+hwy|autoroute|route|rang|chemin)\.?"
    r"(?:\s*(?:rd|road)\.?)?\s*\d+[a-z]?\b"
    r"|\bqe\s?(?:ii|2)\b"
    r"|\b(?:north|south|east|west)\s+of\b|\b(?:au\s+)?(?:nord|sud|ouest)\s+d[eu]s?\b"
    r"|\b(?:911|811|211)\b",
    re.IGNORECASE,
)
# A named street ("Rollyview Rd", "Willow Park Cres", "rue Lakeside"): capitals matter here.
_STREET = re.compile(
    r"\b[A-Z][\w']+(?:\s+[A-Z][\w']+)?\s+(?:Rd|Road|St|Street|Ave|Avenue|Cres|Crescent|Dr|Drive|Blvd|"
    r"Boulevard|Way|Trail|Lane|Close|Court|Pl|Place)\b"
    r"|\b(?:rue|avenue|boulevard|chemin|rang)\s+[A-Z]"
)
# Abbreviations people use for the words of a topic ("Hwy 2" for "Highway 2").
_ABBREVIATIONS = {
    "highway": ("hwy",), "avenue": ("ave",), "street": ("st",), "road": ("rd",), "drive": ("dr",),
    "crescent": ("cres",), "boulevard": ("blvd",), "township": ("twp",), "range": ("rge",),
    "centre": ("center",), "center": ("centre",), "mount": ("mt",), "saint": ("st",),
}


@lru_cache(maxsize=64)
def topic_lexicon(emergency: EmergencyInfo) -> Lexicon:
    """An emergency's topics and aliases, each also by its abbreviations, and by every pair of
    adjacent telling words in it ("boil water", "deer creek", "power outages")."""
    phrases: list[str] = []
    for topic in (*emergency.topics, *emergency.aliases):
        words = _words(topic)
        for variant in _variants(words):
            phrases.append(" ".join(variant))
        telling = [w.rstrip("*") not in _COMMON and w != "*" for w in words]
        for i in range(len(words) - 1):
            if telling[i] and telling[i + 1]:
                for variant in _variants(words[i:i + 2]):
                    phrases.append(" ".join(variant))
    return lexicon(tuple(dict.fromkeys(phrases)))


def _variants(words: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for word in words:
        out = [v + [w] for v in out for w in (word, *_ABBREVIATIONS.get(word, ()))]
    return out[:16]


def _overlaps(span: tuple[int, int], matches: list[Match]) -> bool:
    start, end = span
    return any(m.start < end and start < m.end for m in matches)


class EmergencyProtocolParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.8"
    # Words that show a post points people to the City's channel rather than informing itself.
    deferring_phrases: list[str] = Field(default_factory=lambda: ["follow the city", "official updates"])
    information_phrases: list[str] = Field(
        default_factory=lambda: ["closed", "open until", "evacuation order", "i'm told", "crews say"]
    )
    # Words of any emergency (hazards, measures, shelters): the post is about the emergency.
    emergency_terms: list[str] = Field(default_factory=lambda: ["flood*", "evacuat*", "power outage*"])
    # Words that are about an emergency only in context (closures, responders, damage).
    emergency_hints: list[str] = Field(default_factory=list)
    # Information phrases that name a source ("I'm told", "on m'a dit", "rumour"): second-hand
    # news is what the protocol keeps off councillors' feeds, so these make a finding sure.
    hearsay_phrases: list[str] = Field(default_factory=lambda: ["i'm told", "on m'a dit", "rumour*"])
    uncertain_severity: Severity = "low"


class EmergencyProtocol(PostRule):
    id = "emergency-protocol"
    title = "Emergency information outside the City's protocol"
    Params = EmergencyProtocolParams
    params: EmergencyProtocolParams
    skip_reposts = False

    @cached_property
    def _deferring(self) -> Lexicon:
        return Lexicon(self.params.deferring_phrases)

    @cached_property
    def _information(self) -> Lexicon:
        return Lexicon(self.params.information_phrases)

    @cached_property
    def _hearsay(self) -> Lexicon:
        return Lexicon(self.params.hearsay_phrases)

    @cached_property
    def _terms(self) -> Lexicon:
        # One lexicon: where a hint and a term start at one place the longer wins ("fire hall"
        # is a hint, "fire" a term).
        return Lexicon([*self.params.emergency_terms, *self.params.emergency_hints])

    @cached_property
    def _hints(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.params.emergency_hints) - {
            p.strip() for p in self.params.emergency_terms}

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        return [topic_lexicon(e) for e in ctx.emergencies if e.topics or e.aliases]

    def _facts(self, post: PostView, folded: Folded) -> list[tuple[int, int]]:
        facts = [(m.start, m.end) for m in self._information.finditer(folded)]
        facts += [(m.start, m.end) for m in self._hearsay.finditer(folded)]
        facts += [m.span() for m in _FACT.finditer(post.text)]
        facts += [m.span() for m in _STREET.finditer(post.text)]
        return facts

    def _informs(self, post: PostView, folded: Folded, subject: list[Match]) -> list[tuple[int, int]]:
        """What the post says about the emergency beyond naming it, left to right. (Words that
        are themselves its subject, "43 Avenue", "evacuation alert", are its name.)"""
        spans = sorted(span for span in set(self._facts(post, folded)) if not _overlaps(span, subject))
        distinct: list[tuple[int, int]] = []
        for span in spans:  # overlapping signals ("still closed", "closed") are one
            if distinct and span[0] < distinct[-1][1]:
                distinct[-1] = (distinct[-1][0], max(span[1], distinct[-1][1]))
            else:
                distinct.append(span)
        return distinct

    def _defers(self, folded: Folded, ctx: AuditContext) -> bool:
        if self._deferring.search(folded):
            return True
        text = folded.text
        return "@" in text and any(f"@{a.handle.lower()}" in text for a in ctx.accounts if a.kind == "official-city")

    def _about(self, folded: Folded, active: list[EmergencyInfo]) -> tuple[list[Match], list[Match], list[Match]]:
        """The post's matches of the active emergencies' topics, of emergency terms, of hints."""
        topics = [m for e in active for m in topic_lexicon(e).finditer(folded)]
        words = self._terms.finditer(folded)
        hints = [m for m in words if m.phrase in self._hints]
        terms = [m for m in words if m.phrase not in self._hints]
        return topics, terms, hints

    def _thread_about(self, post: PostView, ctx: AuditContext, active: list[EmergencyInfo]) -> bool:
        """Is a post this one answers (up to three levels up) about the emergency?"""
        above = ctx.parent(post)
        for _ in range(3):
            if above is None:
                return False
            topics, terms, _ = self._about(fold(above.text), active)
            if topics or terms:
                return True
            above = ctx.parent(above)
        return False

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        active = [e for e in ctx.emergencies if e.start <= post.created_at < e.end]
        if not active:
            return None
        if post.kind == "repost" and ctx.official(ctx.parent(post)):
            return None  # sharing the City's own message is the protocol
        folded = ctx.folded(post)
        topics, terms, hints = self._about(folded, active)
        subject = topics + terms + hints
        hearsay = self._hearsay.search(folded) is not None
        if not subject:
            if post.kind not in ("reply", "comment"):
                return None
            informs = self._informs(post, folded, [])
            if not informs or self._defers(folded, ctx) or not self._thread_about(post, ctx, active):
                return None
            start, end = informs[0]
            match = Match("", start, end, post.text[start:end])
            return self.finding(post, "Adds information of their own in a thread about the emergency while "
                               "the Municipal Emergency Plan is active, instead of sharing the City's updates.",
                               quoted(post, match), severity=None if hearsay else self.params.uncertain_severity)
        if self._defers(folded, ctx):
            return None
        informs = self._informs(post, folded, subject)
        if not informs and (post.kind != "repost" or not topics):
            return None  # names the emergency without informing about it: thoughts, thanks, offers
        match = (topics or terms or hints)[0]
        # Sure: the emergency named, or a closure, responder or damage told second-hand or with
        # several facts ("65 Ave reopens at noon, 47 St still closed").
        sure = bool(topics or terms) or hearsay or len(informs) >= 2
        severity = None if sure else self.params.uncertain_severity
        return self.finding(post, f"Posts about \u201c{match.quote}\u201d while the Municipal Emergency Plan "
                           "is active, instead of sharing the City's updates.", quoted(post, match),
                           severity=severity)
