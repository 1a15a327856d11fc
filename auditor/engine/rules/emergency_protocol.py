"""emergency-protocol (E.8): a councillor's own information on an active emergency.

E.8: "posting information on emergency situations outside of the City's communication
protocol outlined by the City of Leduc's Municipal Emergency Plan".

During a configured emergency window, information should come through the City's channels.
A councillor's post that names one of the emergency's topics fires when it carries
information: an `information_phrases` word ("closed", "until", "I'm told", "crews say") or a
number with a time, place or measure ("6 pm", "50 Ave", "20 cm"). Thoughts, thanks and
offers of help name the emergency without informing about it. Exceptions:

- a repost of an official City post is the protocol itself; a quote of one is judged on the
  councillor's own added words;
- words that send people to the City's channel (`deferring_phrases`: "follow the City's
  official updates").

A repost of anyone else's post on the topic (a newspaper, a neighbour's photos) fires: it
spreads emergency information outside the protocol.
"""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, lexicon
from auditor.records import Finding, PostView, Severity

# A number that says when, where or how much: "6 pm", "7am", "10:30", "50 Ave", "43e avenue",
# "20 cm", "2 days". A bare count ("4,000 sandbags") is not information about the emergency.
_FACT = re.compile(
    r"\b\d+(?:[:h]\d\d)?\s*(?:a\.?m\b|p\.?m\b|h\b)|\b\d{1,2}:\d\d\b"
    r"|\b\d+(?:e|th|st|nd|rd)?\s+(?:ave|avenue|av|st|street|rue|rd|road|dr|drive|blvd|hwy|highway|cres|way)\b"
    r"|\b\d+(?:[.,]\d+)?\s*(?:cm|mm|m|km|hours?|hrs?|days?|heures?|jours?|minutes?|mins?)\b",
    re.IGNORECASE,
)


class EmergencyProtocolParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.8"
    # Words that show a post points people to the City's channel rather than informing itself.
    deferring_phrases: list[str] = Field(default_factory=lambda: ["follow the city", "official updates"])
    information_phrases: list[str] = Field(
        default_factory=lambda: ["closed", "open until", "evacuation order", "i'm told", "crews say"]
    )


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

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        return [lexicon(e.topics) for e in ctx.emergencies if e.topics]

    def _informs(self, post: PostView, folded: Folded, topics: list[Match]) -> bool:
        """Does the post say something about the emergency beyond naming it? (Words that are
        themselves a topic, "43 Avenue", "evacuation alert", are its name.)"""
        facts = [(m.start, m.end) for m in self._information.finditer(folded)]
        facts += [(m.start(), m.end()) for m in _FACT.finditer(post.text)]
        return any(not any(t.start < end and start < t.end for t in topics) for start, end in facts)

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        active = [e for e in ctx.emergencies if e.start <= post.created_at < e.end and e.topics]
        if not active:
            return None
        if post.kind == "repost" and ctx.official(ctx.parent(post)):
            return None  # sharing the City's own message is the protocol
        folded = ctx.folded(post)
        for emergency in active:
            topics = list(lexicon(emergency.topics).finditer(folded))
            if not topics:
                continue
            match = topics[0]
            if self._deferring.search(folded):
                return None
            if post.kind != "repost" and not self._informs(post, folded, topics):
                return None  # names the emergency without informing about it: thoughts, thanks, offers
            return self.finding(post, f"Posts about \u201c{match.phrase}\u201d while the Municipal "
                               "Emergency Plan is active, instead of sharing the City's updates.",
                               quoted(post, match))
        return None
