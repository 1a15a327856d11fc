"""Plain records passed between the layers.

Connectors produce `Post`s, the engine consumes `PostView`s and produces `Finding`s. None of
these know about the database: the store converts them to and from its ORM rows, which keeps
the parsers and the engine free of I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PostKind = Literal["post", "reply", "repost", "quote", "comment"]
AccountKind = Literal["personal", "representative", "official-city"]
Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")


def severity_rank(severity: str) -> int:
    """Higher is worse; unknown severities sort lowest."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


@dataclass(frozen=True)
class AccountRef:
    """The account a connector is reading: its feed, as configured."""

    platform: str
    handle: str
    platform_id: str | None = None


@dataclass(frozen=True)
class Post:
    """One post, reply or comment as a connector parsed it from a platform body.

    `author_id` is the platform's id of whoever wrote it; the store and engine decide whose it
    is by comparing that with the configured accounts. `raw` is the platform's own object,
    kept so the archive holds what was received.
    """

    platform: str
    platform_id: str
    author_id: str | None
    author_handle: str | None
    author_name: str | None
    created_at: datetime
    text: str
    url: str | None
    kind: PostKind
    parent_id: str | None = None
    conversation_id: str | None = None
    updated_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class RawBody:
    """A response body exactly as the platform sent it, and the request it answered.

    `request` never carries a secret (no tokens in URLs); the archive keeps these as evidence.
    """

    request: str  # e.g. "GET https://api.twitter.com/2/users/2244994945/tweets?max_results=100"
    body: str
    status: int | None = None


@dataclass(frozen=True)
class Page:
    """What a parser makes of one response body."""

    posts: list[Post]
    next_cursor: str | None = None
    newest_id: str | None = None
    account_id: str | None = None  # the feed account's id, when the body reveals it
    errors: list[str] = field(default_factory=list)
    gone_ids: list[str] = field(default_factory=list)  # posts the platform says no longer exist
    source: RawBody | None = field(default=None, compare=False, repr=False)  # the body it was parsed from


@dataclass(frozen=True)
class PostView:
    """A stored post as the engine sees it: resolved to the configured accounts."""

    platform: str
    platform_id: str
    feed_account: str  # handle of the configured account whose feed it was captured from
    author_id: str | None
    author_handle: str | None
    author_account: str | None  # handle of the configured account that wrote it, if any
    councillor: str | None  # the councillor who wrote it, if a councillor did
    kind: PostKind
    text: str
    created_at: datetime
    url: str | None
    parent_id: str | None = None
    conversation_id: str | None = None
    deleted_at: datetime | None = None

    @property
    def by_councillor(self) -> bool:
        return self.councillor is not None


@dataclass(frozen=True)
class Finding:
    """One rule firing on one post (or one account). Unique by (rule, platform, account, subject)."""

    rule: str
    severity: Severity
    clause: str
    platform: str
    account: str
    subject: str  # the post id, or a stable key for account-level findings
    post_id: str | None
    url: str | None
    posted_at: datetime | None
    evidence: str
    reason: str
    councillor: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.rule, self.platform, self.account, self.subject)


# -- what the archive hands back ------------------------------------------------------------
# Plain, frozen copies of stored rows: callers never hold a database session or an ORM object.


@dataclass(frozen=True)
class AccountRecord:
    """A configured account as the archive knows it: resolved id, resume cursor, last outcome."""

    id: int
    platform: str
    handle: str
    platform_id: str | None
    kind: str
    councillor: str | None
    profile: str | None
    cursor: str | None
    last_success_at: datetime | None
    last_error: str | None  # the last pull's error message, None after a success
    deletions_checked_at: datetime | None
    last_error_kind: str | None = None
    last_error_advice: str | None = None


@dataclass(frozen=True)
class StoredPost:
    """An archived post's current state, with when it was first and last seen."""

    platform: str
    platform_id: str
    kind: str
    text: str
    url: str | None
    created_at: datetime
    content_hash: str
    first_seen: datetime
    last_seen: datetime
    deleted_at: datetime | None


@dataclass(frozen=True)
class StoredFinding:
    """A finding as stored: the engine's `Finding` plus its id, review status and when found."""

    id: int
    rule: str
    severity: str
    clause: str
    platform: str
    account: str
    subject: str
    councillor: str | None
    post_id: str | None
    url: str | None
    posted_at: datetime | None
    evidence: str
    reason: str
    status: str
    first_found: datetime
    last_found: datetime


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on a finding; decisions are a history, never overwritten."""

    id: int
    finding_id: int
    action: str
    note: str
    by: str
    at: datetime
    post_hash: str | None


@dataclass(frozen=True)
class RunAccount:
    """One account's part of a run: what it fetched, or why it could not."""

    platform: str
    handle: str
    fetched: int
    new: int
    updated: int
    error_kind: str | None
    error: str | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Run:
    id: int
    started_at: datetime
    finished_at: datetime | None
    mode: str  # live | replay
    status: str  # running | ok | partial | failed
    accounts: tuple[RunAccount, ...] = ()


@dataclass(frozen=True)
class OutgoingMail:
    """An email to queue: the archive writes it in the same transaction as its cause."""

    key: str  # alert:<finding id> | weekly:<week>: a key is queued at most once
    kind: str
    recipients: list[str]
    subject: str
    message: str  # the whole RFC 5322 message


@dataclass(frozen=True)
class OutboxMessage:
    """A queued email and its delivery state."""

    id: int
    key: str
    kind: str
    recipients: list[str]
    subject: str
    message: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_to: str | None


@dataclass(frozen=True)
class ChainReport:
    """The capture chain's state: how many records were checked, the head, the first break."""

    records: int
    head: str
    problem: str | None  # the first break, worded for a clerk; None: intact

    @property
    def intact(self) -> bool:
        return self.problem is None


# -- the web app's records (users, the audit log, a post with its thread) ----------------------

Role = Literal["viewer", "reviewer", "clerk", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "clerk", "admin")


@dataclass(frozen=True)
class UserRecord:
    """A local account of the web app. The password and tokens stay hashed in the archive."""

    id: int
    name: str
    role: str  # viewer | reviewer | clerk | admin
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class AuditEntry:
    """One line of the web app's audit log: who did what, when. Each entry's hash covers the one before."""

    seq: int
    at: datetime
    user: str
    action: str  # sign-in | sign-in-failed | view-finding | view-post | decide | search | export | ...
    target: str  # what it was done to ("finding 12", a query), "" when nothing
    detail: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class VersionRecord:
    """One text a post has had, with the capture (raw body) it came from, if known."""

    number: int  # 1 = the first text captured
    text: str
    content_hash: str
    seen_at: datetime
    capture_seq: int | None
    capture_sha256: str | None
    capture_received_at: datetime | None
    capture_request: str | None
    capture_chain_hash: str | None


@dataclass(frozen=True)
class PostDetail:
    """An archived post as a reader saw it: who wrote it, where, every version, deletion mark."""

    platform: str
    platform_id: str
    kind: str
    text: str
    url: str | None
    created_at: datetime
    first_seen: datetime
    last_seen: datetime
    deleted_at: datetime | None
    content_hash: str
    feed_account: str  # the configured account whose feed it was captured from
    author_handle: str | None
    author_name: str | None
    author_account: str | None  # the configured account that wrote it, if any
    councillor: str | None
    parent_id: str | None
    conversation_id: str | None
    source: str  # live | replay | import
    versions: tuple[VersionRecord, ...] = ()


@dataclass(frozen=True)
class FindingsPage:
    """One page of the findings queue, with the totals of the whole filtered queue."""

    findings: list[StoredFinding]
    total: int  # findings matching the filters
    by_status: dict[str, int]  # over the filters other than status
    by_severity: dict[str, int]  # over the filters other than severity
    texts: dict[int, str]  # finding id -> its post's current text (shown rows only)
