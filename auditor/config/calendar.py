"""Council meetings from an iCalendar file (RFC 5545), as municipalities publish their calendars.

Longer than our usual module because a calendar file is hostile input with one error path: the
tolerant pre-pass, the bounded expansion of recurrences and the reading of each event share
their limits and their error messages (which name the file and the event), so they stay here.

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
are not meetings.

Repeating events ("Regular Council, 2nd and 4th Monday") are expanded by `recurring-ical-events`:
RRULE, RDATE, EXDATE and moved or cancelled occurrences (an event with RECURRENCE-ID). Only
meetings within `WINDOW_BEFORE` before and `WINDOW_AFTER` after "now" are read: an open-ended
series would otherwise never end, and meetings outside that window cannot matter to an audit
(a post is checked against the meetings around it). The agenda and in-camera topics of a series
apply to each of its meetings; its minutes release only to its first date (a later meeting's
release is recorded on that occurrence, which calendar programs save as its own event).

Calendar programs are more lenient than the RFC, and so is this reader: CR CR LF or bare CR line
ends, a VTIMEZONE with two TZID lines (the first counts), and Windows zone names ("Mountain
Standard Time") are accepted. A VTIMEZONE whose TZID is a known zone (IANA or Windows name) is
not used at all: the IANA rules are the truth, and a hostile block (an RRULE every minute since
1601) costs nothing. Other VTIMEZONE blocks keep only yearly rules; anything finer is ignored.
A DTSTART whose TZID is neither known nor defined in the file is an error, never council time.

Limits, so a huge or hostile file fails fast: `MAX_BYTES` of file, `MAX_EVENTS` events in the
window (counted before the expensive parse, so a 50,000-event archive of past meetings reads in
seconds), `MAX_MEETINGS` meetings after expansion, and rules that repeat more often than daily
are refused.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]  # ships no type hints
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

log = logging.getLogger(__name__)

WINDOW_BEFORE = timedelta(days=400)  # a year of audits looking back, with a month to spare
WINDOW_AFTER = timedelta(days=400)  # meetings already scheduled for the coming year
MAX_BYTES = 64 * 1024 * 1024  # a decade of a busy city's meetings is a few megabytes
MAX_EVENTS = 5_000  # VEVENTs within the window; parsing costs about a millisecond each
MAX_MEETINGS = 20_000  # meetings after expanding the repeating ones
_MARGIN = timedelta(days=2)  # the text pre-filter reads dates without zones: a day either side, and one more

_LINE = re.compile(r"^\s*(minutes released|agenda|in camera)\s*:\s*(.+?)\s*$", re.I | re.M)
_HTML_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|p|li)\b[^>]*>", re.I)  # Google Calendar writes descriptions as HTML
_HTML_TAG = re.compile(r"<[^>]{0,200}>")
_LINE_END = re.compile(r"\r+\n?|\n")  # CRLF, CR CR LF, bare LF or bare CR: calendar programs accept them all
_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)", re.I)
_READ = {"BEG", "END", "UID", "DTS", "REC", "RRU", "RDA"}  # the lines the text pass reads, by their start
_MAX_PER_DAY = 4  # BYHOUR x BYMINUTE x BYSECOND: a morning and an evening sitting, with room to spare
_TOO_OFTEN = {"SECONDLY": "every second", "MINUTELY": "every minute", "HOURLY": "every hour"}
# The parts a time-zone rule needs (RFC 5545's examples, Exchange's and Apple's forms), with how
# many values each may list: anything else makes a VTIMEZONE rule that is ignored, not expanded.
_TZ_RULE_PARTS = {"FREQ": 1, "INTERVAL": 1, "UNTIL": 1, "COUNT": 1, "WKST": 1, "BYMONTH": 2, "BYDAY": 7,
                  "BYMONTHDAY": 7, "BYSETPOS": 1}


class CalendarError(ValueError):
    """What is wrong with the calendar, worded for the operator (the caller adds file and field)."""


def known_zone(tzid: str) -> ZoneInfo | None:
    """The IANA zone a TZID names: an IANA name, a Windows name, or a `/vendor/Area/City` id."""
    cleaned = tzid.strip().strip('"').strip("/")
    candidates = [cleaned, WINDOWS_TO_OLSON.get(cleaned, "")]
    parts = cleaned.split("/")
    candidates += ["/".join(parts[i:]) for i in range(1, len(parts))]  # /freeassociation.sourceforge.net/Area/City
    for name in candidates:
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None


# --- the text pass: line ends, time-zone blocks, and the window, before icalendar parses ---------


def _split(line: str) -> tuple[str, str, str]:
    """A content line as (NAME, parameters, value); a ':' inside quoted parameters is not the split."""
    colon = line.find(":")
    if colon >= 0 and '"' not in line[:colon]:  # the usual line, without a quoted parameter: fast
        name, _, params = line[:colon].partition(";")
        return name.strip().upper(), params, line[colon + 1:]
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            name, _, params = line[:i].partition(";")
            return name.strip().upper(), params, line[i + 1:]
    return line.strip().upper(), "", ""


def _logical_lines(text: str) -> list[str]:
    """Lines with every folded continuation (a line starting with a space or tab) joined back."""
    lines: list[str] = []
    text = text.replace("\r\n", "\n")
    for raw in (_LINE_END.split(text) if "\r" in text else text.split("\n")):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw)
    return lines


def _day(value: str) -> date | None:
    """The day of a DTSTART-like value (`20261116T190000Z`, `20261116`), or None if unreadable."""
    digits = value.strip()[:8]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if digits.isdigit() else None
    except ValueError:
        return None


@dataclass
class _Block:
    """One top-level VEVENT as text, with what the window pre-filter reads from it."""

    lines: list[str] = field(default_factory=list)
    uid: str | None = None
    days: list[date | None] = field(default_factory=list)  # DTSTART and RECURRENCE-ID
    repeats: bool = False  # RRULE or RDATE: it may reach into the window from anywhere


def _timezone_block(lines: list[str]) -> list[str]:
    """A VTIMEZONE as icalendar should see it: nothing for a known zone, else its yearly rules only."""
    tzids = [_split(line)[2] for line in lines if _split(line)[0] == "TZID"]
    if not tzids or known_zone(tzids[0]) is not None:
        return []
    kept: list[str] = []
    seen_tzid = False
    for line in lines:
        name, _, value = _split(line)
        if name == "TZID":
            if seen_tzid:
                continue  # a second TZID line: the first names the zone
            seen_tzid = True
        elif name == "RRULE" and not _sane_zone_rule(value):
            log.warning("time zone %s: ignoring the rule %s (only yearly rules describe a time zone)", tzids[0], value)
            continue
        elif name == "RDATE" and value.count(",") > 500:
            log.warning("time zone %s: ignoring an RDATE with %d dates", tzids[0], value.count(",") + 1)
            continue
        kept.append(line)
    return kept


def _sane_zone_rule(rule: str) -> bool:
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        key, _, value = part.partition("=")
        parts[key.strip().upper()] = value
    if parts.get("FREQ", "").upper() != "YEARLY":
        return False
    return all(key in _TZ_RULE_PARTS and len(value.split(",")) <= _TZ_RULE_PARTS[key] for key, value in parts.items())


def _prepare(text: str, start: datetime, end: datetime) -> str:
    """The calendar's text with sane line ends, usable time-zone blocks and only the window's events.

    Events are grouped by UID: a series is kept whole if any of its parts repeats or falls in the
    window, so a moved occurrence is never separated from its series.
    """
    lines = _logical_lines(text)
    out: list[str | _Block] = []
    stack: list[str] = []
    block: _Block | None = None
    zone: list[str] | None = None
    for line in lines:
        if zone is not None or line[:3].upper() in _READ:
            name, _, value = _split(line)
        else:
            name = value = ""  # a property this pass does not read (most of them): kept as it is
        if name == "BEGIN":
            stack.append(value.strip().upper())
            if stack == ["VCALENDAR", "VEVENT"]:
                block = _Block()
                out.append(block)
            elif stack == ["VCALENDAR", "VTIMEZONE"]:
                zone = []
        if block is not None:
            block.lines.append(line)
            if len(stack) == 2:  # the event's own properties, not a VALARM's
                if name == "UID" and block.uid is None:
                    block.uid = value.strip()
                elif name in ("DTSTART", "RECURRENCE-ID"):
                    block.days.append(_day(value.rsplit(":", 1)[-1]))
                elif name in ("RRULE", "RDATE"):
                    block.repeats = True
        elif zone is not None:
            zone.append(line)
        elif len(stack) <= 1:
            out.append(line)
        # Other components (VTODO, VJOURNAL, VFREEBUSY, VAVAILABILITY) are not meetings: dropped.
        if name == "END" and stack:
            if stack == ["VCALENDAR", "VEVENT"]:
                block = None
            elif stack == ["VCALENDAR", "VTIMEZONE"] and zone is not None:
                out.extend(_timezone_block(zone))
                zone = None
            stack.pop()
    first, last = (start - _MARGIN).date(), (end + _MARGIN).date()

    def maybe_in_window(block: _Block) -> bool:  # an event without a readable start is kept, to be named
        return block.repeats or not block.days or any(d is None or first <= d <= last for d in block.days)

    blocks = [item for item in out if isinstance(item, _Block)]
    wanted = {block.uid for block in blocks if block.uid is not None and maybe_in_window(block)}
    kept = [block for block in blocks if (block.uid in wanted if block.uid is not None else maybe_in_window(block))]
    if len(kept) > MAX_EVENTS:
        raise CalendarError(
            f"has {len(kept)} events between {first} and {last}, more than the {MAX_EVENTS} a council "
            "calendar needs: point `meetings.ics` at the council's meeting calendar only"
        )
    keep = {id(item) for item in kept}
    text_lines: list[str] = []
    for item in out:
        if isinstance(item, _Block):
            if id(item) in keep:
                text_lines.extend(item.lines)
        else:
            text_lines.append(item)
    return "\r\n".join(text_lines) + "\r\n"


# --- reading the parsed events ------------------------------------------------------------------


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
        found = known_zone(zone)
        if found is None:
            raise CalendarError(f"{what} has an unknown TZID {zone!r}")
        tz = found
    try:
        return _aware(datetime.fromisoformat(text.strip()), tz, what)
    except ValueError:
        try:
            # The ignore below: icalendar annotates most of its API, but not vDDDTypes.from_ical.
            return _aware(icalendar.vDDDTypes.from_ical(text.strip()), tz, what)  # type: ignore[no-untyped-call]
        except ValueError:
            raise CalendarError(f"{what} {text!r} is not a date and time") from None


def _plain(description: str) -> str:
    """A description as lines of text: HTML line breaks become lines, other tags go."""
    if "<" not in description:
        return description
    return html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", description)))


def _name(event: Any) -> str:
    """How the operator finds the event: its SUMMARY and DTSTART as written."""
    summary = str(event.get("SUMMARY", "")).strip() or "untitled"
    start = event.get("DTSTART")
    if start is None:
        return f"event {summary!r}"
    try:
        written = start.to_ical().decode()
    except (AttributeError, ValueError, TypeError, UnicodeDecodeError):
        written = str(start)
    tzid = getattr(start, "params", {}).get("TZID")
    return f"event {summary!r} (DTSTART {written}{' TZID=' + str(tzid) if tzid else ''})"


def _check(event: Any) -> None:
    """What would make an event unreadable or unbounded, named for the operator."""
    where = _name(event)
    if event.get("DTSTART") is None:
        raise CalendarError(f"{where} has no DTSTART")
    try:
        start = event.decoded("DTSTART")
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise CalendarError(f"{where}: DTSTART is not a date and time ({exc})") from None
    tzid = event["DTSTART"].params.get("TZID")
    if tzid and isinstance(start, datetime) and start.tzinfo is None:
        raise CalendarError(f"{where} has an unknown time zone TZID={tzid}: use an IANA name such as America/Edmonton")
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        text = rule.to_ical().decode() if hasattr(rule, "to_ical") else str(rule)
        freq = _FREQ.search(text)
        if freq and freq.group(1).upper() in _TOO_OFTEN:
            raise CalendarError(f"{where} repeats {_TOO_OFTEN[freq.group(1).upper()]} (RRULE:{text}): "
                                "not a meeting schedule")
        if freq is None:
            raise CalendarError(f"{where} has an RRULE without FREQ ({text})")
        per_day = 1
        for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            found = re.search(rf"(?:^|;){part}=([^;]*)", text, re.I)
            per_day *= len(found.group(1).split(",")) if found else 1
        if per_day > _MAX_PER_DAY:
            raise CalendarError(f"{where} repeats {per_day} times a day (RRULE:{text}): not a meeting schedule")


def _occurrences(group: list[Any], start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[tuple[Any, bool]]:
    """Each occurrence of one UID's events in the window, with whether it keeps its release time."""
    master = next((e for e in group if e.get("RECURRENCE-ID") is None), None)
    repeats = master is not None and (master.get("RRULE") is not None or master.get("RDATE") is not None)
    if not repeats:
        for event in group:  # single events: no expansion to pay for
            when = _aware(event.decoded("DTSTART"), tz, _name(event))
            if start <= when <= end:
                yield event, True
        return
    assert master is not None
    series = icalendar.Calendar()
    for event in group:
        series.add_component(event)
    moved = {e.decoded("RECURRENCE-ID") for e in group if e.get("RECURRENCE-ID") is not None}
    first = master.decoded("DTSTART")
    try:
        found = recurring_ical_events.of(series).between(start, end)
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError) as exc:
        raise CalendarError(f"{_name(master)} cannot be expanded ({exc})") from None
    for occurrence in found:
        recurrence = occurrence.get("RECURRENCE-ID")
        own = recurrence is not None and occurrence.decoded("RECURRENCE-ID") in moved | {first}
        yield occurrence, own


def _meeting(event: Any, tz: ZoneInfo, keep_release: bool) -> dict[str, Any]:
    where = _name(event)
    described: dict[str, list[str]] = {}
    for key, value in _LINE.findall(_plain(str(event.get("DESCRIPTION", "")))):
        described.setdefault(key.lower(), []).append(value)
    released = event.get("X-MINUTES-RELEASED") if keep_release else None
    released_text = str(released or "") or (
        next(iter(described.get("minutes released", [])), "") if keep_release else "")
    zone = released.params.get("TZID") if released is not None and hasattr(released, "params") else None
    return {
        "title": str(event.get("SUMMARY", "Council meeting")),
        "start": _aware(event.decoded("DTSTART"), tz, f"{where} DTSTART"),
        "minutes_released": _parse_time(released_text, tz, f"{where} minutes release", zone)
        if released_text
        else None,
        "agenda": _texts(event, "X-AGENDA") + _described(described, "agenda"),
        "in_camera_topics": _texts(event, "X-IN-CAMERA-TOPIC") + _described(described, "in camera"),
    }


def read_meetings(path: Path, tz: ZoneInfo, now: datetime | None = None) -> list[dict[str, Any]]:
    """The meetings in the file around `now` (default: the clock), as plain dicts in the
    configuration's meeting shape, in order of start."""
    now = now or datetime.now(UTC)
    start, end = now - WINDOW_BEFORE, now + WINDOW_AFTER
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CalendarError(f"is larger than {MAX_BYTES // (1024 * 1024)} MB: not a meeting calendar")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CalendarError("file not found") from None
    except IsADirectoryError:
        raise CalendarError("is a folder, not an .ics file") from None
    except OSError as exc:
        raise CalendarError(f"cannot be read ({exc.strerror or exc})") from None
    text = raw.decode("utf-8-sig", errors="replace")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise CalendarError("not an iCalendar file (no BEGIN:VCALENDAR)")
    prepared = _prepare(text, start, end)
    try:
        calendar = icalendar.Calendar.from_ical(prepared)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise CalendarError(f"not an iCalendar file ({' '.join(str(exc).split())[:160]})") from None
    groups: dict[str, list[Any]] = {}
    for number, event in enumerate(calendar.walk("VEVENT")):
        _check(event)
        groups.setdefault(str(event.get("UID") or f"#{number}"), []).append(event)
    meetings: list[dict[str, Any]] = []
    for group in groups.values():
        for occurrence, keep_release in _occurrences(group, start, end, tz):
            if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
                continue
            meetings.append(_meeting(occurrence, tz, keep_release))
            if len(meetings) > MAX_MEETINGS:
                raise CalendarError(
                    f"has more than {MAX_MEETINGS} meetings between {start:%Y-%m-%d} and {end:%Y-%m-%d}: "
                    "point `meetings.ics` at the council's meeting calendar only"
                )
    return sorted(meetings, key=lambda m: m["start"])
