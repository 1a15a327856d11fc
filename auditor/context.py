"""What the rules see: the posts in scope, the configured accounts, meetings and `now`.

Built by the pipeline from settings and the store; pure data afterwards. Folded text and the
thread index are computed once here and shared by every rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from auditor.records import PostView
from auditor.text import Folded, fold


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

    def account(self, platform: str, handle: str) -> AccountInfo | None:
        for info in self.accounts:
            if info.platform == platform and info.handle.lower() == handle.lower():
                return info
        return None

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
