"""Council meetings from an iCalendar file, as municipalities publish their meeting calendars.

Each VEVENT is a meeting: DTSTART its start (a floating time is council time), SUMMARY its
title. What the rules also need comes from properties a clerk adds to the event:

    X-MINUTES-RELEASED:20261120T120000   (absent: the minutes are not out yet)
    X-AGENDA:ring road contract          (repeatable)
    X-IN-CAMERA-TOPIC:land acquisition   (repeatable)

or, for calendars edited in ordinary software, lines in DESCRIPTION (each may repeat):

    Minutes released: 2026-11-20 12:00
    Agenda: ring road contract; library expansion
    In camera: land acquisition on 50 Street

A `TZID` on X-MINUTES-RELEASED is honoured, as on DTSTART. Cancelled events (STATUS:CANCELLED)
are not meetings. Recurring events (RRULE) are refused rather than counted once: a council's
calendar lists each meeting, with its own agenda.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

_LINE = re.compile(r"^\s*(minutes released|agenda|in camera)\s*:\s*(.+?)\s*$", re.I | re.M)


class CalendarError(ValueError):
    """What is wrong with the calendar, worded for the operator (the caller adds file and field)."""


def _aware(value: Any, tz: ZoneInfo, what: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    raise CalendarError(f"{what} is not a date or time")


def _texts(component: Any, name: str) -> list[str]:
    value = component.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [part.strip() for v in values for part in str(v).split(";") if part.strip()]


def _described(described: dict[str, list[str]], key: str) -> list[str]:
    """The items of every DESCRIPTION line starting `key:`, split on semicolons."""
    return [part.strip() for line in described.get(key, []) for part in line.split(";") if part.strip()]


def _parse_time(text: str, tz: ZoneInfo, what: str, zone: str | None = None) -> datetime:
    if zone:
        try:
            tz = ZoneInfo(zone)
        except (ValueError, KeyError):
            raise CalendarError(f"{what} has an unknown TZID {zone!r}") from None
    try:
        return _aware(datetime.fromisoformat(text.strip()), tz, what)
    except ValueError:
        try:
            # The ignore below: icalendar annotates most of its API, but not vDDDTypes.from_ical.
            return _aware(icalendar.vDDDTypes.from_ical(text.strip()), tz, what)  # type: ignore[no-untyped-call]
        except ValueError:
            raise CalendarError(f"{what} {text!r} is not a date and time") from None


def read_meetings(path: Path, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The meetings in the file, as plain dicts in the configuration's meeting shape."""
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except FileNotFoundError:
        raise CalendarError("file not found") from None
    except ValueError as exc:
        raise CalendarError(f"not an iCalendar file ({exc})") from None
    meetings = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        where = f"event {number} ({event.get('SUMMARY', 'untitled')})"
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if event.get("DTSTART") is None:
            raise CalendarError(f"{where} has no DTSTART")
        if event.get("RRULE") is not None:
            raise CalendarError(f"{where} repeats (RRULE): list each meeting as its own event")
        described: dict[str, list[str]] = {}
        for key, value in _LINE.findall(str(event.get("DESCRIPTION", ""))):
            described.setdefault(key.lower(), []).append(value)
        released = event.get("X-MINUTES-RELEASED")
        released_text = str(released or "") or next(iter(described.get("minutes released", [])), "")
        zone = released.params.get("TZID") if released is not None and hasattr(released, "params") else None
        meetings.append(
            {
                "title": str(event.get("SUMMARY", "Council meeting")),
                "start": _aware(event.decoded("DTSTART"), tz, f"{where} DTSTART"),
                "minutes_released": _parse_time(released_text, tz, f"{where} minutes release", zone)
                if released_text
                else None,
                "agenda": _texts(event, "X-AGENDA") + _described(described, "agenda"),
                "in_camera_topics": _texts(event, "X-IN-CAMERA-TOPIC") + _described(described, "in camera"),
            }
        )
    return sorted(meetings, key=lambda m: m["start"])
