"""Dates as people read them ("Tue 1 Dec"), the same on every platform."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_FIELD = re.compile(r"%(-?)(.)", re.DOTALL)
_UNPADDED = "dmHIMSjy"


def portable_strftime(moment: date, fmt: str) -> str:
    """`moment.strftime(fmt)`, where `%-d`, `%-H` and the like mean the number without leading zeros.

    glibc understands `%-d` itself; Windows and some other C libraries do not. Here every
    platform gives `portable_strftime(dt, "%a %-d %b %H:%M")` == "Tue 1 Dec 09:05". The flag
    works on the numeric fields d, m, H, I, M, S, j and y.
    """

    def field(match: re.Match[str]) -> str:
        flag, code = match[1], match[2]
        if not flag:
            return match[0]
        if code not in _UNPADDED:
            raise ValueError(f"%-{code} is not a numeric field; use one of " + ", ".join(f"%-{c}" for c in _UNPADDED))
        return str(int(moment.strftime("%" + code)))

    return moment.strftime(_FIELD.sub(field, fmt))


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, as the findings JSON and the exports write times."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
