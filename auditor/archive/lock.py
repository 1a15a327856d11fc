"""One writer at a time: the run lock, and the lock migrations take.

`run_lock(database, what, now, wait=…)` is held by every command and job that pulls, audits or
prunes (`run`, `audit`, `prune`, `demo`, the scheduler's jobs). A second one waits up to `wait`
seconds, then raises `RunInProgress` ("another run is in progress since …"), which the command
line turns into exit code 3. Once it holds the lock, runs still marked `running` can only have
been left by a process that died: they are marked `interrupted`.

- SQLite: an exclusive lock (`fcntl.flock`, `msvcrt.locking` on Windows) on a file beside the
  database, `<database>.lock`, holding who took it and when. The operating system releases it
  when the process dies, SIGKILL included, so a crash never leaves it held.
- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection kept open for the
  duration, keyed by the schema, so two archives in one database do not block each other. The
  server releases it when the connection ends.
- In memory (`sqlite:///:memory:`): one process only, nothing to lock against.

Migrations run under `migration_lock`: a process-wide thread lock (Alembic's `context` is
module-global: two threads upgrading at once failed with KeyError('config')) around the same
kind of lock between processes (`<database>.migrate.lock`, or a transaction-level advisory lock).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from auditor.archive.database import Database

DEFAULT_WAIT = 30.0  # seconds a second command waits for the first before giving up
POLL = 0.2


class RunInProgress(RuntimeError):
    """Another process holds the run lock."""

    def __init__(self, since: str | None, holder: str | None):
        self.since, self.holder = since, holder
        who = f" ({holder})" if holder else ""
        super().__init__(f"another run is in progress since {since or 'an unknown time'}{who}; "
                         "try again when it has finished")


def _sqlite_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database)


def _try_flock(handle: IO[str]) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextmanager
def _file_lock(path: Path, what: str, now: datetime, wait: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the duration
    try:
        deadline = time.monotonic() + wait
        while not _try_flock(handle):
            if time.monotonic() >= deadline:
                handle.seek(0)
                try:
                    held = json.loads(handle.read() or "{}")
                except ValueError:
                    held = {}
                raise RunInProgress(held.get("since"), held.get("what"))
            time.sleep(POLL)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"since": now.astimezone(UTC).isoformat(timespec="seconds"),
                                 "what": f"{what}, process {os.getpid()}"}))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def _advisory_key(connection: Connection, purpose: str) -> int:
    schema = connection.execute(text("SELECT current_schema()")).scalar() or "public"
    # A signed 64-bit key from the schema: one lock per archive, not per database server.
    return zlib.crc32(f"council-feed-auditor:{purpose}:{schema}".encode()) - 2**31


@contextmanager
def _advisory_lock(engine: Engine, wait: float) -> Iterator[None]:
    connection = engine.connect()
    try:
        key = _advisory_key(connection, "run")
        deadline = time.monotonic() + wait
        while not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            connection.rollback()
            if time.monotonic() >= deadline:
                raise RunInProgress(*_advisory_holder(connection, key))
            time.sleep(POLL)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
    finally:
        connection.close()


def _advisory_holder(connection: Connection, key: int) -> tuple[str | None, str | None]:
    """When the holder's session began (it takes the lock first thing), and its client."""
    row = connection.execute(text(
        "SELECT a.backend_start, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted "
        "AND CAST(l.objid AS bigint) = (CAST(:k AS bigint) & 4294967295) LIMIT 1"
    ), {"k": key}).first()
    connection.rollback()
    if row is None:
        return None, None
    started: Any = row[0]
    since = started.astimezone(UTC).isoformat(timespec="seconds") if isinstance(started, datetime) else None
    return since, f"server process {row[1]}"


@contextmanager
def run_lock(database: Database, what: str, now: datetime, *, wait: float = DEFAULT_WAIT) -> Iterator[int]:
    """Hold the archive's run lock for the block; yields how many stale runs were marked interrupted."""
    engine = database.engine
    path = _sqlite_path(engine)
    if engine.dialect.name == "postgresql":
        held = _advisory_lock(engine, wait)
    elif path is not None:
        held = _file_lock(path.with_name(path.name + ".lock"), what, now, wait)
    else:
        held = _no_lock()
    with held:
        interrupt = getattr(database, "interrupt_stale_runs", None)
        yield interrupt(now) if interrupt is not None else 0


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


_MIGRATING = threading.Lock()


@contextmanager
def migration_lock(engine: Engine, connection: Connection) -> Iterator[None]:
    """Serialise migrations: between threads always, between processes by the database's lock."""
    with _MIGRATING:
        path = _sqlite_path(engine)
        if engine.dialect.name == "postgresql":
            key = _advisory_key(connection, "migrate")
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})  # until commit
            yield
        elif path is not None:
            with _blocking_file_lock(path.with_name(path.name + ".migrate.lock")):
                yield
        else:
            yield


@contextmanager
def _blocking_file_lock(path: Path, wait: float = 120.0) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait
        while not _try_flock(handle):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{path} stayed locked for {wait:.0f} s: is another auditor upgrading the archive?")
            time.sleep(POLL)
        yield
