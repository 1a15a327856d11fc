"""The one orchestrator: pull every account, store, audit, queue alerts, deliver.

The CLI's `run` and the scheduler's job call the same `run_cycle`. The clock and the
environment come in as arguments; nothing here reads them on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor import secrets
from auditor.archive.store import IngestCounts, Store
from auditor.config.settings import Settings
from auditor.dates import portable_strftime
from auditor.engine import evaluate as engine
from auditor.engine.context import AuditContext, EmergencyInfo, MeetingInfo
from auditor.records import AccountRef, OutgoingMail, RawBody, StoredFinding, StoredPost, severity_rank
from auditor.redact import Redactor
from auditor.service import evidence, faults
from auditor.service.delivery import DeliveryResult, deliver_pending
from connectors import registry
from connectors.base import Connector
from connectors.errors import ConnectorError, RateLimited
from connectors.replay import ReplayConnector
from reports.alerts import alert_message

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class AccountOutcome:
    platform: str
    handle: str
    owner: str
    counts: IngestCounts
    error_kind: str | None = None
    error: str | None = None


@dataclass
class RunReport:
    run_id: int
    status: str
    outcomes: list[AccountOutcome]
    new_findings: list[StoredFinding] = field(default_factory=list)
    delivery: DeliveryResult | None = None
    x_read_this_month: int | None = None  # live runs with X accounts: X bills reads per post

    @property
    def exit_code(self) -> int:
        return 0 if all(o.error is None for o in self.outcomes) else 1


def open_store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    store.sync_accounts((a.platform, a.handle, a.id, a.kind, c.name if c else None) for a, c in settings.accounts())
    return store


def connector_for(settings: Settings, platform: str, env: Mapping[str, str]) -> Connector:
    if settings.replay_dir is not None:
        return ReplayConnector(platform, settings.replay_dir)
    return registry.get(platform, "*").build(settings, env)


class Connectors:
    """One connector per platform for a cycle, built on first use; a platform that cannot be
    built (a missing token) fails each of its accounts with the same explained error."""

    def __init__(self, settings: Settings, env: Mapping[str, str]):
        self.settings, self.env = settings, env
        self._built: dict[str, Connector | ConnectorError] = {}

    def get(self, platform: str) -> Connector:
        if platform not in self._built:
            try:
                self._built[platform] = connector_for(self.settings, platform, self.env)
            except ConnectorError as exc:
                self._built[platform] = exc
        built = self._built[platform]
        if isinstance(built, ConnectorError):
            raise built
        return built


def pull_all(
    settings: Settings, store: Store, now: datetime, env: Mapping[str, str], progress: Progress
) -> tuple[int, list[AccountOutcome]]:
    """Pull every configured account; one account failing never stops the others."""
    mode = "replay" if settings.replay_dir else "live"
    run_id = store.start_run(now, mode)
    archived = {(a.platform, a.handle.lower()): a for a in store.accounts()}
    every = timedelta(hours=settings.deletions.check_every_hours)
    connectors = Connectors(settings, env)
    redact = Redactor(secrets.secret_values(settings, env))  # a platform may quote a token in its error
    outcomes = []
    configured = settings.accounts()
    for number, (account, councillor) in enumerate(configured, start=1):
        owner = councillor.name if councillor else "official"
        row = archived.get((account.platform, account.handle.lower()))
        known_id, cursor = (row.platform_id, row.cursor) if row else (account.id, None)
        checked = row.deletions_checked_at if row else None
        check_deletions = checked is None or now - checked >= every
        label = f"[{number}/{len(configured)}] {account.platform} @{account.handle} ({owner})"
        counts, failure = IngestCounts(), None
        try:
            if account.platform == "x" and mode == "live":
                _within_read_cap(settings, store, now, account.handle)
            window = now - timedelta(days=settings.deletions.window_days)
            recent = store.recent_post_ids(account.platform, account.handle, window) if check_deletions else []
            ref = AccountRef(account.platform, account.handle, account.id or known_id)
            pulled = connectors.get(account.platform).pull(ref, cursor, recent)
            counts = store.ingest(
                account.platform,
                account.handle,
                pulled.pages,
                now,
                mode,
                pulled.profile,
                pulled.bodies,
                deletions_checked=check_deletions,
            )
            deleted = f", {counts.deleted} found deleted" if counts.deleted else ""
            progress(f"{label}: {counts.fetched} read, {counts.new} new, {counts.updated} edited{deleted}")
            notes = list(dict.fromkeys(note for page in pulled.pages for note in page.errors))
            for note in notes[:3]:  # what the platform said about parts it could not answer
                progress(f"    note: {note}")
            if len(notes) > 3:
                progress(f"    note: and {len(notes) - 3} more")
        except ConnectorError as exc:
            failure = faults.without_secrets(exc, redact)
            progress(f"{label}: FAILED ({failure.kind}) {failure.explanation}")
        except Exception as exc:  # the last resort: anything else from one account is that account's error
            failure = faults.without_secrets(faults.account_error(exc, account.platform, account.handle), redact)
            progress(f"{label}: FAILED ({failure.kind}) {failure.explanation}")
        outcome = AccountOutcome(
            account.platform, account.handle, owner, counts,
            failure.kind if failure else None, failure.explanation if failure else None,
        )
        store.record_account(
            run_id, account.platform, account.handle, counts, now,
            error_kind=failure.kind if failure else None,
            error=failure.message if failure else None,
            advice=failure.advice if failure else None,
        )
        outcomes.append(outcome)
    return run_id, outcomes


@dataclass(frozen=True)
class AccountCheck:
    platform: str
    handle: str
    owner: str
    platform_id: str | None
    problem: str | None  # None: OK


def check_accounts(settings: Settings, store: Store, env: Mapping[str, str]) -> list[AccountCheck]:
    """Verify access to every configured account and record the ids the platforms resolve."""
    results = []
    connectors = Connectors(settings, env)
    for account, councillor in settings.accounts():
        owner = councillor.name if councillor else "official"
        try:
            found = connectors.get(account.platform).check(AccountRef(account.platform, account.handle, account.id))
        except ConnectorError as exc:
            exc = faults.without_secrets(exc, Redactor(secrets.secret_values(settings, env)))
            results.append(AccountCheck(account.platform, account.handle, owner, account.id, exc.explanation))
            continue
        if account.id and account.id != found:
            problem = f"the configured id {account.id} is not this account's ({found}): correct `id:`"
            results.append(AccountCheck(account.platform, account.handle, owner, found, problem))
            continue
        store.sync_accounts(
            [(account.platform, account.handle, found, account.kind, councillor.name if councillor else None)]
        )
        results.append(AccountCheck(account.platform, account.handle, owner, found, None))
    return results


def month_start(now: datetime) -> datetime:
    """The start of the billing month (UTC) that `now` falls in."""
    moment = now.astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _within_read_cap(settings: Settings, store: Store, now: datetime, handle: str) -> None:
    cap = settings.platforms.x.monthly_read_cap
    if cap is None:
        return
    read = store.posts_read("x", month_start(now))
    if read >= cap:
        raise RateLimited(
            "x",
            handle,
            "read-cap",
            f"the monthly read cap of {cap} posts is reached ({read} read since "
            f"{portable_strftime(month_start(now), '%-d %B')}); "
            "raise platforms.x.monthly_read_cap or wait for next month",
            reset_at=(month_start(now) + timedelta(days=32)).replace(day=1),
        )


def newest_recorded(settings: Settings) -> datetime | None:
    """The newest post time in the replay folder, read without storing anything."""
    if settings.replay_dir is None:
        return None
    newest = None
    for account, _ in settings.accounts():
        try:
            pulled = ReplayConnector(account.platform, settings.replay_dir).pull(
                AccountRef(account.platform, account.handle, account.id), None
            )
        except ConnectorError:
            continue  # the real run reports it
        for page in pulled.pages:
            for post in page.posts:
                newest = post.created_at if newest is None or post.created_at > newest else newest
    return newest


def build_context(settings: Settings, store: Store, now: datetime, until: datetime | None = None) -> AuditContext:
    return AuditContext(
        now=now,
        tz=settings.council.tz,
        posts=store.post_views(until=until),
        accounts=store.account_infos(),
        meetings=[
            MeetingInfo(m.start, m.minutes_released, m.title, tuple(m.agenda), tuple(m.in_camera_topics))
            for m in settings.meetings
        ],
        emergencies=[EmergencyInfo(e.start, e.end, tuple(e.topics), tuple(e.aliases)) for e in settings.emergencies],
        preferred_platforms=tuple(settings.council.preferred_platforms),
    )


def audit(settings: Settings, store: Store, now: datetime) -> list[StoredFinding]:
    """Audit the whole archive as of `now`; store new findings and queue their alerts together."""
    return audit_with_context(settings, store, now)[0]


def audit_with_context(settings: Settings, store: Store, now: datetime) -> tuple[list[StoredFinding], AuditContext]:
    """`audit`, also handing back the context it audited, so a report made next need not read the
    archive again (`reporting.make_report(..., context=ctx)`)."""
    ctx = build_context(settings, store, now)
    findings = engine.evaluate(ctx, engine.enabled_rules(settings.policy))
    threshold = severity_rank(settings.email.alert_min_severity)

    def alerts(new: list[tuple[StoredFinding, StoredPost | None]]) -> Iterator[OutgoingMail]:
        for finding, post in new:
            if severity_rank(finding.severity) < threshold:
                continue
            subject, message = alert_message(settings, finding, post, now)
            yield OutgoingMail(f"alert:{finding.id}", "alert", list(settings.email.alerts_to), subject,
                               message.as_string())

    return store.save_findings(findings, now, on_new=alerts), ctx


def deliver(settings: Settings, store: Store, now: datetime, env: Mapping[str, str]) -> DeliveryResult:
    return deliver_pending(
        store, smtp=settings.email.smtp, outbox_dir=settings.outbox_dir, sender=settings.email.from_, env=env, now=now
    )


def run_cycle(settings: Settings, store: Store, now: datetime, env: Mapping[str, str], progress: Progress) -> RunReport:
    """`auditor run` and the scheduled pull job: pull, audit, alert, deliver."""
    run_id, outcomes = pull_all(settings, store, now, env, progress)
    try:
        new = audit(settings, store, now)
    except BaseException:
        store.abandon_run(run_id, now, "failed")  # never left `running`
        raise
    status = store.finish_run(run_id, now)
    evidence.checkpoint_after_run(settings, store)  # the chain head, signed, outside the database
    delivery = deliver(settings, store, now, env)
    x_read = None
    if settings.replay_dir is None and any(o.platform == "x" for o in outcomes):
        x_read = store.posts_read("x", month_start(now))
    return RunReport(run_id, status, outcomes, new, delivery, x_read)


def import_export(settings: Settings, store: Store, kind: str, path: Path, handle: str, now: datetime) -> IngestCounts:
    """Store an account's own export (an X archive, a Facebook download) and audit it like any pull.

    The file itself is captured as the raw body, so the archive proves what was imported.
    """
    export = registry.export(kind)
    platform = export.platform
    account = next(
        (a for a, _ in settings.accounts() if a.platform == platform and a.handle.lower() == handle.lower()), None
    )
    if account is None:
        raise KeyError(f"no {platform} account {handle!r} in {settings.path}")
    known = {a.handle.lower(): a.platform_id for a in store.accounts() if a.platform == platform}
    ref = AccountRef(platform, account.handle, account.id or known.get(account.handle.lower()))
    text = path.read_text(encoding="utf-8")
    raw = RawBody(f"IMPORT {kind} {path.name}", text)
    page = replace(export.parse(text, ref), source=raw)
    counts = store.ingest(platform, account.handle, [page], now, "import", bodies=[raw])
    audit(settings, store, now)
    return counts
