"""Report periods in the council's time zone: ISO weeks and ad hoc date ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
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


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, council time
    end: datetime  # exclusive, council time
    label: str  # "Week 47, 16–22 November 2026"
    key: str  # "2026-W47", or "2026-11-01..2026-11-30"

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def days(self) -> list[date]:
        first = self.start.date()
        return [first + timedelta(days=i) for i in range((self.end.date() - first).days)]


def _span_label(first: date, last: date) -> str:
    if first.year != last.year:
        return f"{first:%-d %B %Y} – {last:%-d %B %Y}"
    if first.month != last.month:
        return f"{first:%-d %B} – {last:%-d %B %Y}"
    return f"{first.day}–{last:%-d %B %Y}"


def iso_week(week: str, tz: ZoneInfo) -> Period:
    """`2026-W47` as a period from Monday 00:00 to the next Monday 00:00, council time."""
    match = _WEEK.match(week)
    if not match:
        raise ValueError(f"week {week!r} is not in the form YYYY-Www, e.g. 2026-W47")
    year, number = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {number}") from None
    start = datetime.combine(monday, time(), tz)
    end = datetime.combine(monday + timedelta(days=7), time(), tz)
    label = f"Week {number}, {_span_label(monday, monday + timedelta(days=6))}"
    return Period(start, end, label, f"{year}-W{number:02d}")


def week_of(moment: datetime, tz: ZoneInfo) -> str:
    year, number, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{number:02d}"


def last_complete_week(now: datetime, tz: ZoneInfo) -> str:
    return week_of(now.astimezone(tz) - timedelta(days=7), tz)


def date_range(first: date | None, last: date | None, tz: ZoneInfo, now: datetime) -> Period:
    """An inclusive range of council days; open ends default to 90 days ago and today."""
    today = now.astimezone(tz).date()
    last = last or today
    first = first or last - timedelta(days=89)
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return Period(start, end, _span_label(first, last), f"{first}..{last}")
