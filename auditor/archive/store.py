"""The archive: accounts, posts and their versions, runs, findings and the outbox.

Every write is idempotent: ingesting the same bodies twice, or auditing twice, changes
nothing. Each account's posts are written in one transaction, so a crash mid-run leaves
every account either fully captured or untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from auditor.archive import models
from auditor.archive.chain import GENESIS, ChainReport, Link, Record, check_chain, sha256_text
from auditor.engine.context import AccountInfo
from auditor.records import Finding, Page, Post, PostView, RawBody, content_hash

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001 - DB-API objects
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # the service writes while the CLI reads
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


def upgrade(engine: Engine) -> None:
    """Create the schema, or bring it up to date, before first use."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class IngestCounts:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    deleted: int = 0  # archived posts the platform reported gone (kept, marked)

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(
            self.fetched + other.fetched,
            self.new + other.new,
            self.updated + other.updated,
            self.deleted + other.deleted,
        )


class Store:
    def __init__(self, url: str, *, migrate: bool = True):
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()

    # -- accounts ---------------------------------------------------------------------------

    def sync_accounts(self, configured: Iterable[tuple[str, str, str | None, str, str | None]]) -> None:
        """Upsert (platform, handle, id, kind, councillor) rows from the configuration."""
        with self.session() as session, session.begin():
            for platform, handle, platform_id, kind, councillor in configured:
                row = session.scalar(select(models.Account).filter_by(platform=platform, handle_key=handle.lower()))
                if row is None:
                    row = models.Account(platform=platform, handle=handle, handle_key=handle.lower())
                    session.add(row)
                row.kind, row.councillor = kind, councillor
                if platform_id:
                    row.platform_id = platform_id

    def account(self, session: Session, platform: str, handle: str) -> models.Account:
        row = session.scalar(select(models.Account).filter_by(platform=platform, handle_key=handle.lower()))
        if row is None:
            raise KeyError(f"{platform}/{handle} is not a configured account")
        return row

    def account_infos(self) -> list[AccountInfo]:
        with self.session() as session:
            return [
                AccountInfo(a.platform, a.handle, a.kind, a.councillor, a.platform_id, a.profile or "")
                for a in session.scalars(select(models.Account).order_by(models.Account.id))
            ]

    # -- posts ------------------------------------------------------------------------------

    def ingest(
        self,
        platform: str,
        handle: str,
        pages: Sequence[Page],
        now: datetime,
        source: str,
        profile: str | None = None,
        bodies: Sequence[RawBody] = (),
        deletions_checked: bool = False,
    ) -> IngestCounts:
        """Store one account's bodies and pages in one transaction; returns what changed."""
        counts = IngestCounts()
        with self.session() as session, session.begin():
            account = self.account(session, platform, handle)
            everything = list(bodies) + [p.source for p in pages if p.source is not None and p.source not in bodies]
            captured = self._capture(session, account, everything, now, source)
            for page in pages:
                if page.account_id and not account.platform_id:
                    account.platform_id = page.account_id
                capture_id = captured.get(id(page.source)) if page.source is not None else None
                counts += self._ingest_page(session, account, page, now, source, capture_id)
                if page.newest_id and _newer(page.newest_id, account.cursor):
                    account.cursor = page.newest_id
            if profile is not None:
                account.profile = profile
            account.last_success_at, account.last_error = now, None
            if deletions_checked:
                account.deletions_checked_at = now
        return counts

    def _capture(
        self, session: Session, account: models.Account, bodies: Sequence[RawBody], now: datetime, source: str
    ) -> dict[int, int]:
        """Append each body to the capture chain, once: a body already held for this account and
        request is not stored again (a replay read twice changes nothing). Returns id(body) -> row id."""
        if not bodies:
            return {}
        # Lock the head: one writer extends the chain at a time (the unique seq backs this up).
        head = session.execute(
            select(models.Capture.seq, models.Capture.chain_hash)
            .order_by(models.Capture.seq.desc())
            .limit(1)
            .with_for_update()
        ).first()
        seq, prev = (head.seq, head.chain_hash) if head else (0, GENESIS)
        label = f"{account.platform}/{account.handle}"
        out: dict[int, int] = {}
        for raw in bodies:
            digest = sha256_text(raw.body)
            held = session.scalar(
                select(models.Capture.id)
                .where(
                    models.Capture.account_id == account.id,
                    models.Capture.body_sha256 == digest,
                    models.Capture.request == raw.request,
                )
                .limit(1)
            )
            if held is None:
                seq += 1
                link = Link(seq, label, source, raw.request, raw.status, now, digest, prev)
                row = models.Capture(
                    seq=seq,
                    account_id=account.id,
                    source=source,
                    request=raw.request,
                    status=raw.status,
                    received_at=now,
                    body=raw.body,
                    body_sha256=digest,
                    prev_hash=prev,
                    chain_hash=link.hash(),
                )
                session.add(row)
                session.flush()
                prev, held = row.chain_hash, row.id
            out[id(raw)] = held
        return out

    def chain(self) -> ChainReport:
        """Recompute the whole capture chain and every stored body's hash."""
        with self.session() as session:
            rows = session.execute(
                select(models.Capture, models.Account.platform, models.Account.handle)
                .join(models.Account, models.Capture.account_id == models.Account.id)
                .order_by(models.Capture.seq)
            )
            return check_chain(
                Record(
                    Link(
                        c.seq,
                        f"{platform}/{handle}",
                        c.source,
                        c.request,
                        c.status,
                        c.received_at,
                        c.body_sha256,
                        c.prev_hash,
                    ),
                    c.chain_hash,
                    c.body,
                )
                for c, platform, handle in rows
            )

    def altered_versions(self) -> list[str]:
        """Post versions whose text no longer matches the hash taken at capture."""
        with self.session() as session:
            rows = session.execute(
                select(
                    models.PostVersion.id,
                    models.PostVersion.text,
                    models.PostVersion.content_hash,
                    models.Post.platform,
                    models.Post.platform_id,
                )
                .join(models.Post, models.PostVersion.post_id == models.Post.id)
                .order_by(models.PostVersion.id)
            )
            return [
                f"{platform} post {pid} (version {vid})"
                for vid, text, digest, platform, pid in rows
                if content_hash(text) != digest
            ]

    def _ingest_page(
        self,
        session: Session,
        account: models.Account,
        page: Page,
        now: datetime,
        source: str,
        capture_id: int | None = None,
    ) -> IngestCounts:
        ids = [p.platform_id for p in page.posts]
        existing = (
            {
                row.platform_id: row
                for row in session.scalars(
                    select(models.Post).where(
                        models.Post.platform == account.platform, models.Post.platform_id.in_(ids)
                    )
                )
            }
            if ids
            else {}
        )
        new = updated = 0
        for post in page.posts:
            row = existing.get(post.platform_id)
            if row is None:
                row = models.Post(
                    platform=post.platform,
                    platform_id=post.platform_id,
                    account_id=account.id,
                    author_id=post.author_id,
                    author_handle=post.author_handle,
                    author_name=post.author_name,
                    kind=post.kind,
                    parent_id=post.parent_id,
                    conversation_id=post.conversation_id,
                    created_at=post.created_at,
                    updated_at=post.updated_at,
                    text=post.text,
                    url=post.url,
                    content_hash=post.content_hash,
                    raw=post.raw,
                    source=source,
                    first_seen=now,
                    last_seen=now,
                )
                session.add(row)
                session.flush()
                session.add(_version(row.id, post, now, capture_id))
                existing[post.platform_id] = row
                new += 1
                continue
            if row.last_seen < now:
                row.last_seen = now
            if post.content_hash != row.content_hash:
                known = session.scalar(
                    select(models.PostVersion).filter_by(post_id=row.id, content_hash=post.content_hash)
                )
                if known is None:
                    session.add(_version(row.id, post, now, capture_id))
                row.text, row.content_hash, row.raw = post.text, post.content_hash, post.raw
                row.updated_at = post.updated_at or row.updated_at
                updated += 1
            # Later bodies may know more than earlier ones (an author's handle, a parent).
            row.author_id = row.author_id or post.author_id
            row.author_handle = row.author_handle or post.author_handle
            row.author_name = row.author_name or post.author_name
            row.parent_id = row.parent_id or post.parent_id
            row.conversation_id = row.conversation_id or post.conversation_id
        deleted = 0
        if page.gone_ids:
            for row in session.scalars(
                select(models.Post).where(
                    models.Post.platform == account.platform,
                    models.Post.platform_id.in_(page.gone_ids),
                    models.Post.deleted_at.is_(None),
                )
            ):
                row.deleted_at = now  # never removed: the archive keeps what was captured
                deleted += 1
        return IngestCounts(len(page.posts), new, updated, deleted)

    def recent_post_ids(self, platform: str, handle: str, since: datetime) -> list[str]:
        """Ids of posts this account wrote since `since` that are not known to be deleted."""
        with self.session() as session:
            account = self.account(session, platform, handle)
            query = select(models.Post.platform_id).where(
                models.Post.account_id == account.id,
                models.Post.created_at >= since,
                models.Post.deleted_at.is_(None),
                (models.Post.author_id == account.platform_id)
                if account.platform_id
                else models.Post.author_id.is_(None),
            )
            return list(session.scalars(query))

    def mark_deleted(self, platform: str, platform_id: str, now: datetime) -> bool:
        with self.session() as session, session.begin():
            row = session.scalar(select(models.Post).filter_by(platform=platform, platform_id=platform_id))
            if row is None or row.deleted_at is not None:
                return False
            row.deleted_at = now
            return True

    def post_views(self, until: datetime | None = None) -> list[PostView]:
        """Every archived post, resolved to the configured accounts, oldest first."""
        with self.session() as session:
            accounts = list(session.scalars(select(models.Account)))
            by_id = {(a.platform, a.platform_id): a for a in accounts if a.platform_id}
            by_handle = {(a.platform, a.handle_key): a for a in accounts}
            query = select(models.Post).order_by(models.Post.created_at, models.Post.id)
            if until is not None:
                query = query.where(models.Post.created_at <= until)
            views = []
            for row in session.scalars(query):
                author = by_id.get((row.platform, row.author_id)) or by_handle.get(
                    (row.platform, (row.author_handle or "").lower())
                )
                views.append(
                    PostView(
                        platform=row.platform,
                        platform_id=row.platform_id,
                        feed_account=row.account.handle,
                        author_id=row.author_id,
                        author_handle=row.author_handle,
                        author_account=author.handle if author else None,
                        councillor=author.councillor if author else None,
                        kind=row.kind,
                        text=row.text,
                        created_at=row.created_at,
                        url=row.url,
                        parent_id=row.parent_id,
                        conversation_id=row.conversation_id,
                        deleted_at=row.deleted_at,
                    )
                )
            return views

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        with self.session() as session:
            return {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (models.Post, models.PostVersion, models.Finding, models.OutboxMessage)
            }

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, now: datetime, mode: str) -> int:
        with self.session() as session, session.begin():
            run = models.Run(started_at=now, mode=mode, status="running")
            session.add(run)
            session.flush()
            return run.id

    def record_account(
        self,
        run_id: int,
        platform: str,
        handle: str,
        counts: IngestCounts,
        now: datetime,
        error_kind: str | None = None,
        error: str | None = None,
    ) -> None:
        with self.session() as session, session.begin():
            account = self.account(session, platform, handle)
            if error:
                account.last_error = error
            session.add(
                models.RunAccount(
                    run_id=run_id,
                    account_id=account.id,
                    fetched=counts.fetched,
                    new=counts.new,
                    updated=counts.updated,
                    error_kind=error_kind,
                    error=error,
                    finished_at=now,
                )
            )

    def finish_run(self, run_id: int, now: datetime) -> str:
        with self.session() as session, session.begin():
            run = session.get(models.Run, run_id)
            assert run is not None
            failed = sum(1 for a in run.accounts if a.error)
            run.status = "ok" if failed == 0 else ("failed" if failed == len(run.accounts) else "partial")
            run.finished_at = now
            return run.status

    def runs(self, since: datetime | None = None) -> list[models.Run]:
        from sqlalchemy.orm import selectinload

        with self.session() as session:
            query = select(models.Run).options(selectinload(models.Run.accounts)).order_by(models.Run.id)
            if since is not None:
                query = query.where(models.Run.started_at >= since)
            return list(session.scalars(query))

    def posts_read(self, platform: str, since: datetime) -> int:
        """Posts read from a platform's accounts in runs since `since` (X bills reads per post)."""
        from sqlalchemy import func

        with self.session() as session:
            query = (
                select(func.coalesce(func.sum(models.RunAccount.fetched), 0))
                .join(models.Run, models.RunAccount.run_id == models.Run.id)
                .join(models.Account, models.RunAccount.account_id == models.Account.id)
                .where(models.Account.platform == platform, models.Run.started_at >= since, models.Run.mode == "live")
            )
            return int(session.scalar(query) or 0)

    def accounts(self) -> list[models.Account]:
        with self.session() as session:
            return list(session.scalars(select(models.Account).order_by(models.Account.id)))

    # -- findings and outbox ----------------------------------------------------------------

    def save_findings(
        self,
        findings: Sequence[Finding],
        now: datetime,
        on_new: Callable[[Session, list[models.Finding]], None] | None = None,
    ) -> list[models.Finding]:
        """Insert findings not seen before; `on_new` runs in the same transaction (alerts)."""
        new_rows: list[models.Finding] = []
        with self.session() as session, session.begin():
            existing = {(f.rule, f.platform, f.account, f.subject): f for f in session.scalars(select(models.Finding))}
            for finding in findings:
                row = existing.get(finding.key)
                if row is None:
                    row = models.Finding(
                        rule=finding.rule,
                        severity=finding.severity,
                        clause=finding.clause,
                        platform=finding.platform,
                        account=finding.account,
                        subject=finding.subject,
                        councillor=finding.councillor,
                        post_id=finding.post_id,
                        url=finding.url,
                        posted_at=finding.posted_at,
                        evidence=finding.evidence,
                        reason=finding.reason,
                        status="open",
                        first_found=now,
                        last_found=now,
                    )
                    session.add(row)
                    new_rows.append(row)
                    continue
                row.last_found = max(row.last_found, now)
                row.severity, row.reason, row.evidence = finding.severity, finding.reason, finding.evidence
            session.flush()
            self._reopen_edited(session, [existing[f.key] for f in findings if f.key in existing], now)
            if on_new and new_rows:
                on_new(session, new_rows)
        return new_rows

    def decide(self, finding_id: int, action: str, note: str, by: str, now: datetime) -> models.Finding:
        """Record a reviewer's decision; the finding's status becomes it. Earlier decisions stay."""
        with self.session() as session, session.begin():
            finding = session.get(models.Finding, finding_id)
            if finding is None:
                raise KeyError(f"no finding #{finding_id}")
            post = self._post(session, finding)
            session.add(
                models.Decision(
                    finding_id=finding.id,
                    action=action,
                    note=note,
                    by=by,
                    at=now,
                    post_hash=post.content_hash if post else None,
                )
            )
            finding.status = action
            return finding

    def decisions(self, finding_id: int | None = None) -> list[models.Decision]:
        with self.session() as session:
            query = select(models.Decision).order_by(models.Decision.at, models.Decision.id)
            if finding_id is not None:
                query = query.where(models.Decision.finding_id == finding_id)
            return list(session.scalars(query))

    @staticmethod
    def _post(session: Session, finding: models.Finding) -> models.Post | None:
        if finding.post_id is None:
            return None
        return session.scalar(select(models.Post).filter_by(platform=finding.platform, platform_id=finding.post_id))

    def _reopen_edited(self, session: Session, rows: Iterable[models.Finding], now: datetime) -> None:
        """A dismissed finding whose post was edited since is looked at again: reopened, with a note."""
        for row in rows:
            if row.status != "dismissed":
                continue
            last = session.scalar(
                select(models.Decision)
                .where(models.Decision.finding_id == row.id)
                .order_by(models.Decision.at.desc(), models.Decision.id.desc())
                .limit(1)
            )
            post = self._post(session, row)
            if last is not None and post is not None and last.post_hash and post.content_hash != last.post_hash:
                session.add(
                    models.Decision(
                        finding_id=row.id,
                        action="reopened",
                        by="auditor",
                        at=now,
                        note="the post was edited after this finding was dismissed",
                        post_hash=post.content_hash,
                    )
                )
                row.status = "open"

    def findings(self, since: datetime | None = None, until: datetime | None = None) -> list[models.Finding]:
        with self.session() as session:
            query = select(models.Finding).order_by(models.Finding.id)
            if since is not None:
                query = query.where(models.Finding.first_found >= since)
            if until is not None:
                query = query.where(models.Finding.first_found <= until)
            return list(session.scalars(query))

    def pending_messages(self, now: datetime) -> list[models.OutboxMessage]:
        with self.session() as session:
            query = (
                select(models.OutboxMessage)
                .where(models.OutboxMessage.sent_at.is_(None))
                .order_by(models.OutboxMessage.id)
            )
            return [m for m in session.scalars(query) if m.next_attempt_at is None or m.next_attempt_at <= now]

    def outbox(self) -> list[models.OutboxMessage]:
        with self.session() as session:
            return list(session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id)))

    def enqueue(
        self, session: Session, key: str, kind: str, recipients: list[str], subject: str, message: str, now: datetime
    ) -> bool:
        """Add a message unless one with this key exists; call inside the causing transaction."""
        if session.scalar(select(models.OutboxMessage.id).filter_by(key=key)) is not None:
            return False
        session.add(
            models.OutboxMessage(
                key=key, kind=kind, recipients=recipients, subject=subject, message=message, created_at=now
            )
        )
        return True

    def mark_sent(self, message_id: int, now: datetime, delivered_to: str) -> None:
        with self.session() as session, session.begin():
            row = session.get(models.OutboxMessage, message_id)
            assert row is not None
            row.sent_at, row.delivered_to, row.last_error = now, delivered_to, None
            row.attempts += 1

    def mark_failed(self, message_id: int, now: datetime, error: str, retry_at: datetime) -> None:
        with self.session() as session, session.begin():
            row = session.get(models.OutboxMessage, message_id)
            assert row is not None
            row.attempts += 1
            row.last_error, row.next_attempt_at = error, retry_at


def _newer(candidate: str, current: str | None) -> bool:
    """Compare platform ids: numeric ids by value (snowflakes), others as text."""
    if current is None:
        return True
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current)
    return candidate > current


def _version(post_id: int, post: Post, seen_at: datetime, capture_id: int | None) -> models.PostVersion:
    """A post's text as seen now, pointing at the body it came from."""
    return models.PostVersion(
        post_id=post_id,
        text=post.text,
        content_hash=post.content_hash,
        seen_at=seen_at,
        raw=post.raw,
        capture_id=capture_id,
    )
