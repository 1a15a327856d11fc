"""Report periods in the council's time zone: ISO weeks and ad hoc date ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from auditor.dates import portable_strftime

__all__ = ["Period", "portable_strftime"]

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


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
        return f"{portable_strftime(first, '%-d %B %Y')} – {portable_strftime(last, '%-d %B %Y')}"
    if first.month != last.month:
        return f"{portable_strftime(first, '%-d %B')} – {portable_strftime(last, '%-d %B %Y')}"
    return f"{first.day}–{portable_strftime(last, '%-d %B %Y')}"


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
