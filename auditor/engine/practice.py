"""Good practice the policy encourages (E.1-E.3, F.2, F.5), recognised in councillors' posts.

Pure: a post and the context in, the kinds of good practice it shows out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from auditor.engine.context import AuditContext
from auditor.engine.text import Lexicon
from auditor.records import PostView

EVENT, CITY_SHARE, INVITE = "community_events", "city_posts_shared", "comments_invited"
LABELS = {EVENT: "promotes a community event", CITY_SHARE: "shares a City post", INVITE: "invites comments"}


class GoodPractice(BaseModel):
    """The `good_practice` section of policy.yaml: the words that show each kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    community_events: list[str] = Field(default_factory=list)
    comments_invited: list[str] = Field(default_factory=list)
    city_domains: list[str] = Field(default_factory=list)


@dataclass
class PracticeFinder:
    lists: GoodPractice

    @cached_property
    def _events(self) -> Lexicon:
        return Lexicon(self.lists.community_events)

    @cached_property
    def _invites(self) -> Lexicon:
        return Lexicon(self.lists.comments_invited)

    def kinds(self, post: PostView, ctx: AuditContext) -> set[str]:
        if not post.by_councillor or post.kind in ("reply", "comment"):
            return set()
        found: set[str] = set()
        folded = ctx.folded(post)
        if post.kind in ("repost", "quote") and self._shares_city(post, ctx):
            found.add(CITY_SHARE)
        elif any(domain.lower() in folded.text for domain in self.lists.city_domains):
            found.add(CITY_SHARE)
        if post.kind != "repost":  # a repost's words are the City's, counted once above
            if self._events.search(folded):
                found.add(EVENT)
            if self._invites.search(folded):
                found.add(INVITE)
        return found

    def _shares_city(self, post: PostView, ctx: AuditContext) -> bool:
        if ctx.official(ctx.parent(post)):
            return True
        official = [a.handle.lower() for a in ctx.accounts if a.kind == "official-city" and a.platform == post.platform]
        text = ctx.folded(post).text
        return any(f"rt @{handle}" in text for handle in official)
