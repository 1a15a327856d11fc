"""Opening the archive: the engine for a URL, its pragmas, and the schema brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from auditor.archive.lock import migration_lock

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # the service writes while the CLI reads
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut may lose
            # the last transactions but never corrupts the file. A lost pull is pulled again at
            # the next cycle, since each account's cursor is committed with its posts.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


def upgrade(engine: Engine) -> None:
    """Create the schema, or bring it up to date, before first use."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection, migration_lock(engine, connection):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """An open archive: the engine and its sessions. Each concern adds its methods (see `Store`)."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """For the archive's own modules only: nothing outside `auditor.archive` holds a session."""
        return self._sessions()

    def has_table(self, name: str) -> bool:
        """Whether a table exists, such as the scheduler's job store that the service creates."""
        return inspect(self.engine).has_table(name)

    def close(self) -> None:
        self.engine.dispose()
