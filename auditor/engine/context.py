"""What the rules see: the posts in scope, the configured accounts, meetings and `now`.

Built by the pipeline from settings and the store; pure data afterwards. The thread index is
computed once here and shared by every rule; a post's folded text (and its scan for every
rule's keywords, see `prepare`) is computed once while the engine hands that post to each rule.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from auditor.engine.text import Folded, Lexicon, Scanner, fold, lexicon, scanner
from auditor.records import PostView


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
    aliases: tuple[str, ...] = ()  # other names for the topics, matched like them


@dataclass
class AuditContext:
    now: datetime
    tz: ZoneInfo
    posts: Sequence[PostView]
    accounts: Sequence[AccountInfo]
    meetings: Sequence[MeetingInfo] = ()
    emergencies: Sequence[EmergencyInfo] = ()
    preferred_platforms: Sequence[str] = ("facebook", "x", "youtube")
    _folded: tuple[PostView | None, Folded | None] = field(default=(None, None), repr=False)
    _scanner: Scanner | None = field(default=None, repr=False)
    # Indexes by platform, then id: no tuple per post (this runs over whole archives).
    _by_id: dict[str, dict[str, PostView]] | None = field(default=None, repr=False)
    # A lone reply is stored as itself, several as a list: most posts have one reply or none, and
    # a list for each would be ten thousands of objects for the garbage collector to walk.
    _children: dict[str, dict[str, PostView | list[PostView]]] | None = field(default=None, repr=False)
    _threads: dict[str, dict[str, PostView | list[PostView]]] | None = field(default=None, repr=False)
    _open_windows: dict[timedelta, tuple[list[datetime], list[datetime], list[MeetingInfo]]] = field(
        default_factory=dict, repr=False)

    def prepare(self, lexicons: Iterable[Lexicon]) -> None:
        """Scan each post once for the keys of every lexicon the rules will search it with."""
        keys: set[str] = set()
        for lex in lexicons:
            if lex.keys:
                keys |= lex.keys
        self._scanner = scanner(frozenset(keys)) if keys else None
        self._folded = (None, None)

    def folded(self, post: PostView) -> Folded:
        """The post's folded text. The engine asks for one post at a time, rule after rule, so
        the last one is kept: an archive's worth of folded copies would only weigh on memory."""
        last, folded = self._folded
        if last is not post or folded is None:
            folded = fold(post.text, self._scanner)
            self._folded = (post, folded)
        return folded

    @cached_property
    def _accounts(self) -> dict[tuple[str, str], AccountInfo]:
        return {(a.platform, a.handle.lower()): a for a in self.accounts}

    def account(self, platform: str, handle: str) -> AccountInfo | None:
        return self._accounts.get((platform, handle.lower()))

    @property
    def _conversations(self) -> dict[str, dict[str, PostView | list[PostView]]]:
        if self._threads is None:
            self._index()
        assert self._threads is not None
        return self._threads

    @cached_property
    def in_camera_topics(self) -> Lexicon:
        """Every meeting's in-camera topics as one lexicon: one search per post, not one per meeting."""
        return lexicon(tuple(sorted({t for m in self.meetings for t in m.in_camera_topics})))

    def _windows(self, unreleased: timedelta) -> tuple[list[datetime], list[datetime], list[MeetingInfo]]:
        """Meetings by start, with their windows' ends and each prefix's latest end (cached)."""
        cached = self._open_windows.get(unreleased)
        if cached is None:
            ordered = sorted(self.meetings, key=lambda m: m.start)
            latest: list[datetime] = []
            for meeting in ordered:
                end = meeting.minutes_released or meeting.start + unreleased
                latest.append(max(latest[-1], end) if latest else end)
            cached = self._open_windows[unreleased] = ([m.start for m in ordered], latest, ordered)
        return cached

    def meetings_open_at(self, when: datetime, unreleased: timedelta) -> list[MeetingInfo]:
        """Meetings that had begun at `when` and whose minutes were not yet released, oldest
        first; minutes never recorded as released count as out `unreleased` after the start."""
        starts, latest, ordered = self._windows(unreleased)
        last = bisect_right(starts, when) - 1
        if last < 0 or when >= latest[last]:
            return []  # most posts: no meeting begun before them is still open
        return [m for m in ordered[:last + 1] if when < (m.minutes_released or m.start + unreleased)]

    def conversation(self, post: PostView) -> list[PostView]:
        """Every post in the same conversation (X threads), the post itself included."""
        if not post.conversation_id:
            return [post]
        found = self._conversations.get(post.platform, {}).get(post.conversation_id, post)
        return found if isinstance(found, list) else [found]

    def _index(self) -> None:
        by_id: dict[str, dict[str, PostView]] = {}
        children: dict[str, dict[str, PostView | list[PostView]]] = {}
        threads: dict[str, dict[str, PostView | list[PostView]]] = {}
        for platform in sorted({post.platform for post in self.posts}):
            mine = [post for post in self.posts if post.platform == platform]
            ids = by_id[platform] = {post.platform_id: post for post in mine}
            if platform == "facebook":
                for post in mine:
                    if "_" in post.platform_id:
                        # Graph comment lists name a post by its object id alone ("{object}_{comment}");
                        # a post's own id always wins over such an alias.
                        ids.setdefault(post.platform_id.split("_", 1)[1], post)
            below: dict[str, PostView | list[PostView]] = {}
            along: dict[str, PostView | list[PostView]] = {}
            children[platform], threads[platform] = below, along
            get = ids.get
            for post in mine:  # one pass for replies and conversations
                if post.parent_id:
                    parent = get(post.parent_id)
                    _add(below, parent.platform_id if parent else post.parent_id, post)
                if post.conversation_id:
                    _add(along, post.conversation_id, post)
        self._by_id, self._children, self._threads = by_id, children, threads

    def parent(self, post: PostView) -> PostView | None:
        if not post.parent_id:
            return None
        if self._by_id is None:
            self._index()
        assert self._by_id is not None
        ids = self._by_id.get(post.platform)
        return ids.get(post.parent_id) if ids else None

    def post(self, platform: str, platform_id: str) -> PostView | None:
        """The post with this id, if the context holds it."""
        if self._by_id is None:
            self._index()
        assert self._by_id is not None
        ids = self._by_id.get(platform)
        return ids.get(platform_id) if ids else None

    def replies_to(self, post: PostView) -> list[PostView]:
        if self._children is None:
            self._index()
        assert self._children is not None
        below = self._children.get(post.platform)
        found = below.get(post.platform_id) if below else None
        return [] if found is None else found if isinstance(found, list) else [found]

    @cached_property
    def _official(self) -> dict[str, frozenset[str]]:
        handles: dict[str, set[str]] = {}
        for a in self.accounts:
            if a.kind == "official-city":
                handles.setdefault(a.platform, set()).add(a.handle.lower())
        return {platform: frozenset(names) for platform, names in handles.items()}

    @cached_property
    def official_posts(self) -> dict[str, frozenset[str]]:
        """Ids of the posts the City's official accounts wrote, by platform."""
        ids: dict[str, set[str]] = {}
        for post in self.posts:
            if post.author_account is not None and post.councillor is None and self.official(post):
                ids.setdefault(post.platform, set()).add(post.platform_id)
        return {platform: frozenset(found) for platform, found in ids.items()}

    def official(self, post: PostView | None) -> bool:
        """Was this post written by one of the City's official accounts?"""
        if post is None or post.author_account is None:
            return False
        handles = self._official.get(post.platform)
        return handles is not None and post.author_account.lower() in handles


def _add(index: dict[str, PostView | list[PostView]], key: str, post: PostView) -> None:
    """Index `post` under `key`: alone, or in a list once a second post shares the key."""
    found = index.get(key)
    if found is None:
        index[key] = post
    elif isinstance(found, list):
        found.append(post)
    else:
        index[key] = [found, post]
