"""Reading fields of a decoded platform body, for every parser and importer alike: times,
required values, and the `MalformedBody` for a body without the shape a parser expects, naming
the field. Pure: no I/O, nothing but the standard library and the project's records.

Also the time cursor the connectors without ordered ids (Facebook, YouTube, Bluesky) store:
UTC to the second, "YYYY-MM-DDTHH:MM:SS+00:00", so that cursors compare as text in time order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from auditor.records import AccountRef
from connectors.errors import MalformedBody


def malformed(platform: str, account: AccountRef, message: str) -> MalformedBody:
    """The error for a body of `account` that is not what the parser expects."""
    return MalformedBody(platform, account.handle, "malformed", message)


def as_utc(moment: datetime) -> datetime:
    """The time in UTC; a time without an offset is taken as UTC, never the host's local time."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_iso(value: Any) -> datetime:
    """An ISO 8601 time in UTC; TypeError or ValueError for anything else."""
    return as_utc(datetime.fromisoformat(value))


def parse_time(value: Any, platform: str, account: AccountRef, path: str, *, fmt: str | None = None) -> datetime:
    """The time at `path` in a body (ISO 8601, or `fmt` for `strptime`), in UTC; MalformedBody
    naming the field when it is missing or not a time."""
    try:
        return as_utc(datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(value))
    except (TypeError, ValueError):
        raise malformed(platform, account, f"`{path}` is not a time: {value!r}") from None


def reset_time(value: Any) -> datetime | None:
    """When a rate limit lifts, from a reset header: Unix seconds (X, Bluesky, GoToSocial) or an
    ISO 8601 time (Mastodon). None when absent or garbled: that is no reason to lose the error."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return datetime.fromtimestamp(int(value), tz=UTC)
        return parse_iso(value)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: for optional nested objects."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """`value` if it is a string, else None: for optional text fields."""
    return value if isinstance(value, str) else None


def require_str(value: Any, platform: str, account: AccountRef, path: str) -> str:
    """A non-empty string at `path`, or MalformedBody naming the field."""
    if not isinstance(value, str) or not value:
        raise malformed(platform, account, f"`{path}` is missing or not a string")
    return value


def require_list(value: Any, platform: str, account: AccountRef, path: str, *, optional: bool = False,
                 objects: bool = False) -> list[Any]:
    """The list at `path` (`optional`: a missing one is empty; `objects`: every item an object),
    or MalformedBody naming the field."""
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise malformed(platform, account, f"`{path}` is missing or not a list")
    if objects and not all(isinstance(item, dict) for item in value):
        raise malformed(platform, account, f"`{path}` is not a list of objects")
    return value


def load_json(content: str, platform: str, account: AccountRef, what: str) -> Any:
    """Decode a whole file's text; MalformedBody saying it is not `what` when it is not JSON."""
    try:
        return json.loads(content)
    except ValueError as exc:
        raise malformed(platform, account, f"not {what} ({exc})") from None


def cursor_time(moment: datetime) -> str:
    """A time cursor as stored: UTC, to the second, so cursors compare as text in time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def time_cursor(cursor: str | None) -> datetime | None:
    """The time a stored cursor names (UTC when it has no offset); None for anything else."""
    if not cursor:
        return None
    try:
        return parse_iso(cursor)
    except ValueError:
        return None
