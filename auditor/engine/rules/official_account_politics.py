"""official-account-politics (E.9): campaigning or personal politics in comments on City accounts.

E.9: "posting comments to official City social media accounts to promote individual and/or
political opinions and/or campaigns".

Only a councillor's comments or replies in the thread of an official City account's post are
judged; the same words on the councillor's own account are not this fault. A comment fires when
it campaigns or states a political position (`phrases`: "re-elect", "I voted against"; a
phrase may name the writer as `{surname}` or `{name}`: "vote {surname}" is "vote Redcrow" for
Jason Redcrow), or gives an opinion (`opinion_phrases`: "in my opinion") in a sentence about
council politics (`political_context`: budget, taxes, council). Facts, thanks and event
reminders are welcome.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Lexicon, lexicon, same_sentence
from auditor.records import Finding, PostView, Severity


class OfficialAccountPoliticsParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.9"
    phrases: list[str] = Field(default_factory=lambda: ["vote for me", "re-elect", "my campaign"])
    opinion_phrases: list[str] = Field(default_factory=list)
    political_context: list[str] = Field(default_factory=list)


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
        if match:
            return self.finding(post, f"Comment on an official City account promotes a personal or "
                               f"political position (\u201c{match.quote}\u201d).", quoted(post, match))
        return None
