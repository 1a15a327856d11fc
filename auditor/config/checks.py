"""Checks on single configuration values that pydantic's types cannot say: cron strings, e-mail
addresses, database URLs, API versions. Each returns the value or raises ValueError worded for the
operator; `settings` calls them from its validators, so they run at every command's start and in
`auditor config check`.
"""

from __future__ import annotations

import re

# Dialects the archive is tested on; `postgresql://` alone means the psycopg (3) driver here.
DATABASE_DIALECTS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")

# A deliberately simple address rule: one `@`, a local part without spaces, quotes, brackets or
# separators, and a domain of letters, digits and hyphens in dot-separated labels (`localhost`
# is allowed: the default sender). It refuses what mail servers refuse for certain (`jane@`,
# `jane doe@x.org`, `jane@x..org`, `a@b@c`) without trying to be RFC 5322; a display name
# ("Comms <comms@x.org>") is not taken: write the bare address.
_LOCAL = r"[^@\s<>()\[\],;:\"\\]{1,64}"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})*")
_GRAPH_VERSION = re.compile(r"v\d{1,2}\.\d{1,2}")


def check_address(value: str) -> str:
    """An e-mail address as the rule above reads it, trimmed."""
    address = value.strip()
    if len(address) > 254 or not _ADDRESS.fullmatch(address) or ".." in address:
        raise ValueError(f"{value!r} is not an e-mail address like comms@example.org")
    return address


def check_cron(value: str) -> str:
    """A crontab line (five fields, in the council's time zone) as APScheduler itself reads it."""
    # Imported here, not at the top: `auditor --help` must not load the scheduler.
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"{value!r} is not a cron expression: it needs 5 fields (minute hour day month weekday), "
            f"e.g. \"*/30 * * * *\"; it has {len(fields)}"
        )
    try:
        CronTrigger.from_crontab(value, timezone="UTC")
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"{value!r} is not a cron expression: {exc}") from None
    return value


def check_database_url(value: str) -> str:
    """A SQLAlchemy URL whose dialect the archive supports."""
    scheme, separator, rest = value.partition("://")
    if not separator or not rest:
        raise ValueError(
            f"{value!r} is not a database URL like sqlite:///var/auditor.db or postgresql+psycopg://user@host/db"
        )
    if scheme.lower() not in DATABASE_DIALECTS:
        raise ValueError(f"unknown database dialect {scheme!r} (use one of: {', '.join(DATABASE_DIALECTS)})")
    return value


def check_graph_version(value: str) -> str:
    if not _GRAPH_VERSION.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a Graph API version like v23.0")
    return value.strip()
