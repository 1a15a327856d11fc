"""The archive's tables (SQLAlchemy 2, typed). Schema changes go through `migrations/`.

Times are stored as naive UTC and come back timezone-aware, the same on SQLite and PostgreSQL.
Platform ids are text: they overflow JavaScript numbers and spreadsheets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the archive; times must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "handle_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(255))
    handle_key: Mapped[str] = mapped_column(String(255))  # lower-cased handle: handles ignore case
    platform_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    councillor: Mapped[str | None] = mapped_column(String(255))
    profile: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[str | None] = mapped_column(String(512))  # newest id or time seen: where to resume
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)  # what the platform said, without advice
    last_error_kind: Mapped[str | None] = mapped_column(String(32))  # auth | rate-limited | not-found ...
    last_error_advice: Mapped[str | None] = mapped_column(Text)  # what to do about it
    deletions_checked_at: Mapped[datetime | None]  # when recent posts were last asked about


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id"),
        Index("ix_posts_created_at", "created_at"),
        Index("ix_posts_parent", "platform", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))  # feed it was captured from
    author_id: Mapped[str | None] = mapped_column(String(64))
    author_handle: Mapped[str | None] = mapped_column(String(255))
    author_name: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(String(128))
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(String(16))  # live | replay
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship(lazy="joined")
    versions: Mapped[list[PostVersion]] = relationship(back_populates="post", order_by="PostVersion.seen_at")


class PostVersion(Base):
    """Every distinct text a post has had, the first included: an edit never loses the original."""

    __tablename__ = "post_versions"
    __table_args__ = (UniqueConstraint("post_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime]
    raw: Mapped[dict[str, Any]]
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))  # the body it came from

    post: Mapped[Post] = relationship(back_populates="versions")


class Capture(Base):
    """A response body exactly as received, chained: each record's hash covers the one before.

    Removing, altering or reordering any record breaks the chain (`auditor verify`). A pruned
    body keeps its hash, so the chain still verifies.
    """

    __tablename__ = "captures"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # 1, 2, 3 ... with no gaps
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    source: Mapped[str] = mapped_column(String(16))  # live | replay | import
    request: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime]
    body: Mapped[str | None] = mapped_column(Text)  # None once pruned by the retention policy
    body_sha256: Mapped[str] = mapped_column(String(64), index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    pruned_at: Mapped[datetime | None]


class Decision(Base):
    """A reviewer's decision on a finding. Kept as a history: a new decision never overwrites."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # acknowledged | dismissed | escalated | reopened
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime]
    post_hash: Mapped[str | None] = mapped_column(String(64))  # the post's text when decided


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    mode: Mapped[str] = mapped_column(String(16))  # live | replay
    status: Mapped[str] = mapped_column(String(16))  # running | ok | partial | failed
    accounts: Mapped[list[RunAccount]] = relationship(back_populates="run", order_by="RunAccount.id")


class RunAccount(Base):
    """One account's part of a run: what it fetched, or why it could not."""

    __tablename__ = "run_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]

    run: Mapped[Run] = relationship(back_populates="accounts")
    account: Mapped[Account] = relationship(lazy="joined")


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("rule", "platform", "account", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    clause: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    councillor: Mapped[str | None] = mapped_column(String(255))
    post_id: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None]
    evidence: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    first_found: Mapped[datetime]
    last_found: Mapped[datetime]


class OutboxMessage(Base):
    """An email to send, written in the same transaction as whatever caused it. Sent once."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)  # alert:<finding id> | weekly:<week>
    kind: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[list[Any]]
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)  # the whole RFC 5322 message, Message-ID included
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_to: Mapped[str | None] = mapped_column(Text)  # smtp host or .eml path


# -- the web app: local users, their API tokens, sign-in attempts and the audit log ------------


class User(Base):
    """A local account of the web app; the password is an argon2 hash, never the password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    name_key: Mapped[str] = mapped_column(String(255), unique=True)  # lower-cased: names ignore case
    role: Mapped[str] = mapped_column(String(16))  # viewer | reviewer | clerk | admin
    password_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    disabled: Mapped[int] = mapped_column(Integer, default=0)


class ApiToken(Base):
    """A script's credential: only the token's SHA-256 is kept; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class SignInAttempt(Base):
    """Each sign-in attempt, so failures can be rate-limited per user name and per address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(255))
    address: Mapped[str] = mapped_column(String(64))
    ok: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]


class AuditLogEntry(Base):
    """The web app's audit log: append-only, each entry hashed over the one before (like captures)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # 1, 2, 3 ... with no gaps
    at: Mapped[datetime]
    user: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
