"""official-account-politics (E.9): campaigning or personal politics in comments on City accounts.

E.9: "posting comments to official City social media accounts to promote individual and/or
political opinions and/or campaigns".

Only a councillor's comments or replies in the thread of an official City account's post are
judged; the same words on the councillor's own account are not this fault. A comment fires when
it campaigns or states a political position (`phrases`: "re-elect", "I voted against"; a
phrase may name the writer as `{surname}` or `{name}`: "vote {surname}" is "vote Redcrow" for
Jason Redcrow), or gives an opinion (`opinion_phrases`: "in my opinion") in a sentence about
council politics (`political_context`: budget, taxes, council). Campaigning is also seen in
its shapes, in English and French: a call to vote for a named person ("vote Halvorsen",
"votez Sarah Nguyen", "un vote pour Brent"), a campaign hashtag (the councillor's name in it,
"#Sandhu2029", or a vote: "#LeducVotes") and a campaign website (the councillor's name in it,
or "4leduc", "forleduc", "stopthelevy").
A party name (`party_names`: NDP, UCP, NPD…) alone is `uncertain_severity` (low): it may be a
fact about another government. Facts, thanks, event reminders and non-partisan calls to vote
("Allez voter, peu importe pour qui") are welcome.
"""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Lexicon, Match, lexicon, same_sentence
from auditor.records import Finding, PostView, Severity


class OfficialAccountPoliticsParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.9"
    phrases: list[str] = Field(default_factory=lambda: ["vote for me", "re-elect", "my campaign"])
    opinion_phrases: list[str] = Field(default_factory=list)
    political_context: list[str] = Field(default_factory=list)
    party_names: list[str] = Field(default_factory=list)
    uncertain_severity: Severity = "low"


# "vote Halvorsen", "Vote for Jane Doe", "votez Sarah Nguyen", "un vote pour Brent": a vote asked
# for a named person (a capitalised word: "vote for the vendors" is not one).
_VOTE_FOR_NAME = re.compile(
    r"\b(?:[Vv]ote[sz]?|VOTE[SZ]?)\s+(?:(?:for|FOR|pour|POUR)\s+)?"
    r"(?!(?:I|The|Your|Our|My|Option|Leduc|Leduc's|Le|La|Les|Votre|Notre)\b)[A-Z\u00c0-\u00de][a-z\u00e0-\u00ff]+")
_CAMPAIGN_TAG = re.compile(r"#\w*?(?:vote|elect|forward)\w*", re.IGNORECASE)
_HASHTAG = re.compile(r"#\w+")
# Starts only where a run of [\w-] starts, possessive: `\b[\w-]+` was quadratic on "a-a-a-…a.".
_DOMAIN = re.compile(r"(?<![\w-])-*+\b[\w-]++\.(?:ca|com|org|net|info)\b", re.IGNORECASE)
_CAMPAIGN_DOMAIN = re.compile(r"(?<=[a-z])(?:4|for)[a-z]{3}|vote|elect|stop|save|team", re.IGNORECASE)


class OfficialAccountPolitics(PostRule):
    id = "official-account-politics"
    title = "Politics or campaigning on an official City account"
    Params = OfficialAccountPoliticsParams
    params: OfficialAccountPoliticsParams

    @cached_property
    def _phrases(self) -> Lexicon:
        return Lexicon(p for p in self.params.phrases if "{" not in p)

    def _own_phrases(self, councillor: str) -> Lexicon:
        """The phrases that name the writer, for this councillor ("vote {surname}")."""
        names = councillor.split()
        fill = {"name": councillor, "surname": names[-1] if names else councillor}
        return lexicon(tuple(p.format(**fill) for p in self.params.phrases if "{" in p))

    @cached_property
    def _opinions(self) -> Lexicon:
        return Lexicon(self.params.opinion_phrases)

    @cached_property
    def _political(self) -> Lexicon:
        return Lexicon(self.params.political_context)

    @cached_property
    def _parties(self) -> Lexicon:
        return Lexicon(self.params.party_names)

    @staticmethod
    def _campaign_shape(post: PostView) -> Match | None:
        """A vote asked for a named person, a campaign hashtag or a campaign website."""
        text = post.text
        names = [n.lower() for n in (post.councillor or "").split() if len(n) > 2]
        found = _VOTE_FOR_NAME.search(text) or _CAMPAIGN_TAG.search(text) or next(
            (t for t in _HASHTAG.finditer(text) if any(n in t.group().lower() for n in names)), None)  # "#Sandhu2029"
        if found is None:
            found = next((d for d in _DOMAIN.finditer(text) if not d.group().lower().startswith("leduc.")
                          and (_CAMPAIGN_DOMAIN.search(d.group()) or any(n in d.group().lower() for n in names))),
                         None)
        return None if found is None else Match(found.group(), found.start(), found.end(), found.group())

    def _on_city_account(self, post: PostView, ctx: AuditContext) -> bool:
        if post.kind not in ("comment", "reply"):
            return False
        feed = ctx.account(post.platform, post.feed_account)
        if feed is not None and feed.kind == "official-city":
            return True
        # Under a City post: its parent is one, or its thread starts with one (an X conversation
        # is named after its first tweet; Facebook threads are two levels deep).
        city = ctx.official_posts.get(post.platform)
        if not city or post.parent_id is None:
            return False
        if post.conversation_id in city:
            return True
        parent = ctx.parent(post)
        if parent is None:
            return False
        if parent.platform_id in city:
            return True
        grandparent = ctx.parent(parent)
        return grandparent is not None and grandparent.platform_id in city

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        if not self._on_city_account(post, ctx):
            return None
        folded = ctx.folded(post)
        match = self._phrases.search(folded) or self._own_phrases(post.councillor or "").search(folded)
        if match is None and self._opinions:
            political = list(self._political.finditer(folded))
            match = next((o for o in self._opinions.finditer(folded)
                          if any(same_sentence(folded.original, o, p) for p in political)), None)
        match = match or self._campaign_shape(post)
        severity = None
        if match is None:
            match, severity = self._parties.search(folded), self.params.uncertain_severity
        if match:
            return self.finding(post, f"Comment on an official City account promotes a personal or "
                               f"political position (\u201c{match.quote}\u201d).", quoted(post, match),
                               severity=severity)
        return None
