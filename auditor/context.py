"""What the rules see: the posts in scope, the configured accounts, meetings and `now`.

Built by the pipeline from settings and the store; pure data afterwards. Folded text and the
thread index are computed once here and shared by every rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from auditor.records import PostView
from auditor.text import Folded, Lexicon, fold, lexicon


@dataclass(frozen=True)
class AccountInfo:
    platform: str
    handle: str
    kind: str  # personal | representative | official-city
    councillor: str | None
    platform_id: str | None = None
    profile: str = ""  # the account's bio, where the platform gives one


@dataclass(frozen=True)
class MeetingInfo:
    start: datetime
    minutes_released: datetime | None
    title: str
    agenda: tuple[str, ...] = ()
    in_camera_topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmergencyInfo:
    start: datetime
    end: datetime
    topics: tuple[str, ...] = ()


@dataclass
class AuditContext:
    now: datetime
    tz: ZoneInfo
    posts: Sequence[PostView]
    accounts: Sequence[AccountInfo]
    meetings: Sequence[MeetingInfo] = ()
    emergencies: Sequence[EmergencyInfo] = ()
    preferred_platforms: Sequence[str] = ("facebook", "x", "youtube")
    _folded: dict[int, Folded] = field(default_factory=dict, repr=False)
    _by_id: dict[tuple[str, str], PostView] | None = field(default=None, repr=False)
    _children: dict[tuple[str, str], list[PostView]] | None = field(default=None, repr=False)

    def folded(self, post: PostView) -> Folded:
        key = id(post)
        cached = self._folded.get(key)
        if cached is None:
            cached = self._folded[key] = fold(post.text)
        return cached

    @cached_property
    def _accounts(self) -> dict[tuple[str, str], AccountInfo]:
        return {(a.platform, a.handle.lower()): a for a in self.accounts}

    def account(self, platform: str, handle: str) -> AccountInfo | None:
        return self._accounts.get((platform, handle.lower()))

    @cached_property
    def _conversations(self) -> dict[tuple[str, str], list[PostView]]:
        threads: dict[tuple[str, str], list[PostView]] = defaultdict(list)
        for post in self.posts:
            if post.conversation_id:
                threads[(post.platform, post.conversation_id)].append(post)
        return dict(threads)

    @cached_property
    def in_camera_topics(self) -> Lexicon:
        """Every meeting's in-camera topics as one lexicon: one search per post, not one per meeting."""
        return lexicon(tuple(sorted({t for m in self.meetings for t in m.in_camera_topics})))

    def conversation(self, post: PostView) -> list[PostView]:
        """Every post in the same conversation (X threads), the post itself included."""
        if not post.conversation_id:
            return [post]
        return self._conversations.get((post.platform, post.conversation_id), [post])

    def _index(self) -> None:
        by_id: dict[tuple[str, str], PostView] = {}
        children: dict[tuple[str, str], list[PostView]] = defaultdict(list)
        for post in self.posts:
            by_id[(post.platform, post.platform_id)] = post
            if post.platform == "facebook" and "_" in post.platform_id:
                # Graph comment lists name a post by its object id alone ("{object}_{comment}").
                by_id.setdefault((post.platform, post.platform_id.split("_", 1)[1]), post)
        for post in self.posts:
            if post.parent_id:
                parent = by_id.get((post.platform, post.parent_id))
                key = (post.platform, parent.platform_id if parent else post.parent_id)
                children[key].append(post)
        self._by_id, self._children = by_id, dict(children)

    def parent(self, post: PostView) -> PostView | None:
        if not post.parent_id:
            return None
        if self._by_id is None:
            self._index()
        assert self._by_id is not None
        return self._by_id.get((post.platform, post.parent_id))

    def replies_to(self, post: PostView) -> list[PostView]:
        if self._children is None:
            self._index()
        assert self._children is not None
        return self._children.get((post.platform, post.platform_id), [])

    def official(self, post: PostView | None) -> bool:
        """Was this post written by one of the City's official accounts?"""
        if post is None or post.author_account is None:
            return False
        info = self.account(post.platform, post.author_account)
        return info is not None and info.kind == "official-city"
