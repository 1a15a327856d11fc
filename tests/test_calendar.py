"""Meetings from an iCalendar file, as municipalities publish them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

import pytest

from auditor.config.settings import ConfigError, Meeting, Settings, load_settings
from auditor.engine.context import AuditContext, MeetingInfo
from auditor.engine.evaluate import enabled_rules, evaluate
from auditor.records import PostView
from tests.conftest import ROOT

EDMONTON = ZoneInfo("America/Edmonton")
ICS = ROOT / "tests" / "fixtures" / "meetings.ics"
CALENDARS = ROOT / "tests" / "fixtures" / "calendars"
AUDIT_NOW = datetime(2026, 11, 23, 9, tzinfo=EDMONTON)  # the window of meetings read is placed around it


def load(path: Path) -> Settings:
    return load_settings(path, AUDIT_NOW)


def council(tmp_path: Path, meetings: str) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(f"council: {{name: Test, timezone: America/Edmonton}}\npolicy: {ROOT / 'config' / 'policy.yaml'}\n"
                    f"meetings: {meetings}\n", encoding="utf-8")
    return path


def test_meetings_come_from_the_calendar_with_their_release_agenda_and_in_camera_topics(tmp_path: Path) -> None:
    settings = load(council(tmp_path, f"{{ics: {ICS}}}"))
    regular, committee = settings.meetings
    assert (regular.title, regular.start) == ("Regular Council Meeting", datetime(2026, 11, 16, 19, tzinfo=EDMONTON))
    assert regular.minutes_released == datetime(2026, 11, 20, 12, tzinfo=EDMONTON)
    assert regular.agenda == ["ring road contract", "library expansion"]
    assert regular.in_camera_topics == ["land acquisition on 50 Street"]
    assert committee.start == datetime(2026, 11, 23, 13, tzinfo=EDMONTON), "a floating time is council time"
    assert committee.minutes_released is None
    assert committee.agenda == ["2027 operating budget", "transit fares"]
    assert committee.in_camera_topics == ["fire hall 2 site"]


def test_a_council_on_a_calendar_gets_decision_findings_before_the_release_and_none_after(tmp_path: Path) -> None:
    settings = load(council(tmp_path, f"{{ics: {ICS}}}"))

    def post(pid: str, when: datetime) -> PostView:
        return PostView(platform="x", platform_id=pid, feed_account="jane", author_id="jane", author_handle="jane",
                        author_account="jane", councillor="Jane Doe", kind="post", created_at=when, url=None,
                        text="Council voted tonight to approve the ring road contract.")

    posts = [post("before-release", datetime(2026, 11, 16, 21, 30, tzinfo=EDMONTON)),
             post("after-release", datetime(2026, 11, 20, 15, 0, tzinfo=EDMONTON)),
             post("before-meeting", datetime(2026, 11, 16, 12, 0, tzinfo=EDMONTON))]
    meetings = [MeetingInfo(m.start, m.minutes_released, m.title, tuple(m.agenda), tuple(m.in_camera_topics))
                for m in settings.meetings]
    ctx = AuditContext(now=datetime(2026, 11, 24, tzinfo=EDMONTON), tz=EDMONTON, posts=posts, accounts=[],
                       meetings=meetings)
    findings = evaluate(ctx, enabled_rules(settings.policy, only=["decision-before-release"]))
    assert [f.post_id for f in findings] == ["before-release"]


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "file not found"), ("not a calendar", "not an iCalendar file"),
     ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:No start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "has no DTSTART")],
    ids=["missing", "garbage", "no start"],
)
def test_a_bad_calendar_is_a_configuration_error_naming_the_field(tmp_path: Path, content: str | None,
                                                                  words: str) -> None:
    ics = tmp_path / "meetings.ics"
    if content is not None:
        ics.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(council(tmp_path, "{ics: meetings.ics}"))
    assert caught.value.field == "meetings.ics" and words in caught.value.problem


EVENT = """BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"""


def event(*lines: str) -> str:
    return "BEGIN:VEVENT\r\n" + "".join(line + "\r\n" for line in lines) + "END:VEVENT\r\n"


def test_cancelled_meetings_are_not_meetings_and_description_lines_may_repeat(tmp_path: Path) -> None:
    (tmp_path / "meetings.ics").write_text(EVENT.format(events=event(
        "UID:a", "DTSTART:20261116T190000", "SUMMARY:Regular", "STATUS:CANCELLED",
    ) + event(
        "UID:b", "DTSTART:20261123T190000Z", "SUMMARY:Special",
        "X-MINUTES-RELEASED;TZID=America/Toronto:20261125T140000",
        "DESCRIPTION:Agenda: transit fares\\nAgenda: snow clearing; rinks\\nIn camera: CAO review",
    )), encoding="utf-8")
    (special,) = load(council(tmp_path, "{ics: meetings.ics}")).meetings
    assert special.start == datetime(2026, 11, 23, 12, tzinfo=EDMONTON), "a UTC start stays UTC"
    assert special.minutes_released == datetime(2026, 11, 25, 12, tzinfo=EDMONTON), "TZID on the release"
    assert special.agenda == ["transit fares", "snow clearing", "rinks"]
    assert special.in_camera_topics == ["CAO review"]


def meetings_of(tmp_path: Path, ics: Path | str) -> list[Meeting]:
    return load(council(tmp_path, f"{{ics: '{ics}'}}")).meetings


def starts(meetings: list[Meeting]) -> list[str]:
    return [m.start.astimezone(EDMONTON).strftime("%Y-%m-%d %H:%M %z") for m in meetings]


def refusal(tmp_path: Path, text: str) -> str:
    """The one-line problem a calendar with this text is refused with."""
    (tmp_path / "meetings.ics").write_text(text, encoding="utf-8", newline="")
    with pytest.raises(ConfigError) as caught:
        load(council(tmp_path, "{ics: meetings.ics}"))
    assert caught.value.field == "meetings.ics"
    assert "\n" not in str(caught.value)
    return caught.value.problem


def test_a_weekly_series_with_until_from_google_is_each_monday_through_the_daylight_change(tmp_path: Path) -> None:
    meetings = meetings_of(tmp_path, CALENDARS / "google-weekly-until.ics")
    assert starts(meetings) == [
        "2026-10-05 19:00 -0600", "2026-10-12 19:00 -0600", "2026-10-19 19:00 -0600", "2026-10-26 19:00 -0600",
        "2026-11-02 19:00 -0700", "2026-11-09 19:00 -0700", "2026-11-16 19:00 -0700", "2026-11-23 19:00 -0700",
    ], "UNTIL (29 Nov, 22:59 MST) ends it; the local time stays 19:00 on both sides of 1 November"
    assert {tuple(m.agenda) for m in meetings} == {("ring road contract",)}, "Google's HTML description is read"


def test_an_open_ended_series_is_read_within_the_window_around_now(tmp_path: Path) -> None:
    from auditor.config.calendar import WINDOW_AFTER, WINDOW_BEFORE

    meetings = meetings_of(tmp_path, CALENDARS / "open-ended.ics")
    first, last = AUDIT_NOW - WINDOW_BEFORE, AUDIT_NOW + WINDOW_AFTER
    expected = []
    day = first.date()
    while day <= last.date():
        if day.weekday() == 0 and (day.day - 1) // 7 in (1, 3):  # the 2nd and 4th Mondays
            expected.append(datetime.combine(day, time(19), EDMONTON))
        day += timedelta(days=1)
    assert [m.start for m in meetings] == [s for s in expected if first <= s <= last]
    assert len(meetings) > 40 and all(m.agenda == ["council business"] for m in meetings)


def test_rdate_exdate_a_moved_and_a_cancelled_occurrence_are_honoured(tmp_path: Path) -> None:
    meetings = meetings_of(tmp_path, CALENDARS / "rdate-exdate-moved.ics")
    assert starts(meetings) == [
        "2026-11-02 19:00 -0700",  # the series' first date
        # 9 Nov: EXDATE
        "2026-11-17 18:00 -0700",  # 16 Nov moved to the Tuesday (RECURRENCE-ID)
        "2026-11-23 19:00 -0700",
        "2026-11-25 13:00 -0700",  # RDATE
        # 30 Nov: cancelled occurrence
        "2026-12-07 19:00 -0700",  # COUNT=6 includes the excluded and the cancelled dates
    ]
    first, moved, *rest = meetings
    assert first.minutes_released == datetime(2026, 11, 6, 12, tzinfo=EDMONTON), "the series' release: its first date"
    assert moved.title == "Regular Council (moved to Tuesday)"
    assert moved.minutes_released == datetime(2026, 11, 20, 12, tzinfo=EDMONTON), "the moved meeting's own release"
    assert (moved.agenda, moved.in_camera_topics) == (["ring road contract"], ["land acquisition on 50 Street"])
    assert all(m.minutes_released is None for m in rest), "a later meeting's minutes are not the first one's"
    assert all(m.agenda == ["2027 operating budget"] for m in rest), "the series' agenda applies to each meeting"


def test_exchange_time_zone_blocks_windows_names_and_outlook_labels_give_mountain_time(tmp_path: Path) -> None:
    meetings = meetings_of(tmp_path, CALENDARS / "exchange.ics")
    regular = [m for m in meetings if m.title == "Regular Council"]
    assert len(regular) == 24, "2nd and 4th Monday of 2026, UNTIL the first of January"
    assert starts(regular)[:2] == ["2026-01-12 19:00 -0700", "2026-01-26 19:00 -0700"]
    assert "2026-07-13 19:00 -0600" in starts(regular), "summer time from the zone's rules"
    (committee,) = [m for m in meetings if m.title == "Committee of the Whole"]
    assert committee.start == datetime(2026, 7, 20, 13, tzinfo=EDMONTON), "a label TZID defined in the file"
    assert committee.in_camera_topics == ["fire hall 2 site"]


def test_a_time_zone_block_with_two_tzid_lines_is_read_with_the_first(tmp_path: Path) -> None:
    regular, special = sorted(meetings_of(tmp_path, CALENDARS / "duplicate-tzid.ics"), key=lambda m: m.title)
    assert regular.start == datetime(2026, 11, 16, 19, tzinfo=EDMONTON)
    assert special.start == datetime(2026, 7, 20, 19, tzinfo=EDMONTON), "its daylight rule applies in July"


def test_cr_cr_lf_and_bare_cr_line_ends_are_read_as_calendar_programs_read_them(tmp_path: Path) -> None:
    original = (CALENDARS / "rdate-exdate-moved.ics").read_bytes()
    expected = starts(meetings_of(tmp_path, CALENDARS / "rdate-exdate-moved.ics"))
    for name, ends in (("crcrlf.ics", b"\r\r\n"), ("cr.ics", b"\r"), ("lf.ics", b"\n")):
        (tmp_path / name).write_bytes(original.replace(b"\r\n", ends))
        assert starts(meetings_of(tmp_path, tmp_path / name)) == expected, name


def test_a_time_zone_repeating_every_minute_since_1601_finishes_at_once(tmp_path: Path) -> None:
    started = perf_counter()
    regular, special = sorted(meetings_of(tmp_path, CALENDARS / "minutely-vtimezone.ics"), key=lambda m: m.title)
    assert perf_counter() - started < 10  # it used to hang for minutes
    assert regular.start == datetime(2026, 11, 16, 19, tzinfo=EDMONTON), "a known TZID uses the IANA zone"
    assert special.start.utcoffset() == timedelta(hours=-7), "an unknown zone keeps its offset, not the rule"


def _many_events(count: int, first: datetime, step: timedelta) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for number in range(count):
        start = first + step * number
        lines += ["BEGIN:VEVENT", f"UID:meeting-{number}@leduc.example", "DTSTAMP:20260101T000000Z",
                  f"DTSTART;TZID=America/Edmonton:{start:%Y%m%dT%H%M%S}", "DURATION:PT2H",
                  f"SUMMARY:Meeting {number}", f"DESCRIPTION:Agenda: item {number}", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


def test_a_50000_event_calendar_reads_only_the_window_within_a_bound(tmp_path: Path) -> None:
    from auditor.config.calendar import WINDOW_AFTER, WINDOW_BEFORE

    path = tmp_path / "archive.ics"  # one meeting a day from 1950 to 2086
    path.write_text(_many_events(50_000, datetime(1950, 1, 1, 19), timedelta(days=1)), encoding="utf-8")
    started = perf_counter()
    meetings = meetings_of(tmp_path, path)
    elapsed = perf_counter() - started
    assert elapsed < 30, f"{elapsed:.1f} s (parsing every event took over a minute)"
    window = [m.start for m in meetings]
    assert window and min(window) >= AUDIT_NOW - WINDOW_BEFORE and max(window) <= AUDIT_NOW + WINDOW_AFTER
    assert 795 <= len(meetings) <= 801


def test_too_many_events_in_the_window_is_one_line_before_the_slow_parse(tmp_path: Path) -> None:
    from auditor.config.calendar import MAX_EVENTS

    started = perf_counter()
    problem = refusal(tmp_path, _many_events(MAX_EVENTS + 500, datetime(2026, 1, 1, 8), timedelta(hours=3)))
    assert f"more than the {MAX_EVENTS}" in problem and perf_counter() - started < 10


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (("UID:a", "DTSTART;TZID=Mountain Time:20261116T190000", "SUMMARY:Regular Council"),
         ["'Regular Council'", "DTSTART 20261116T190000", "unknown time zone TZID=Mountain Time"]),
        (("UID:a", "DTSTART:20261116T190000", "RRULE:FREQ=MINUTELY", "SUMMARY:Regular Council"),
         ["'Regular Council'", "repeats every minute"]),
        (("UID:a", "DTSTART:20261116T190000", "RRULE:FREQ=DAILY;BYHOUR=9,10,11;BYMINUTE=0,30", "SUMMARY:Drop-in"),
         ["'Drop-in'", "6 times a day"]),
        (("UID:a", "DTSTART:20261116T190000", "RRULE:BYDAY=MO", "SUMMARY:Regular Council"),
         ["'Regular Council'", "without FREQ"]),
        (("UID:a", "DTSTART:99991231T220000Z", "DURATION:PT3H", "RRULE:FREQ=DAILY", "SUMMARY:Regular Council"),
         ["'Regular Council'", "DTSTART 99991231T220000Z", "cannot be expanded"]),
        (("UID:a", "DTSTART:2026-11-16", "SUMMARY:Regular Council"), ["'Regular Council'", "DTSTART 2026-11-16"]),
        (("UID:a", "DTSTART:20261116T190000", "SUMMARY:Regular Council", "X-MINUTES-RELEASED:20261101T120000"),
         ["'Regular Council'", "2026-11-16T19:00:00-07:00", "before the meeting's start"]),
        (("UID:a", "DTSTART:20261116T190000", "SUMMARY:Regular Council", "X-MINUTES-RELEASED:next week"),
         ["'Regular Council'", "minutes release 'next week' is not a date and time"]),
    ],
    ids=["unknown TZID", "every minute", "six times a day", "no FREQ", "year 9999 series", "bad DTSTART",
         "release before start", "release not a date"],
)
def test_a_bad_event_is_one_line_naming_the_event(tmp_path: Path, lines: tuple[str, ...], words: list[str]) -> None:
    problem = refusal(tmp_path, EVENT.format(events=event(*lines)))
    for word in words:
        assert word in problem, problem


def test_a_single_meeting_in_year_9999_is_outside_the_window_and_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "meetings.ics").write_text(EVENT.format(events=event(
        "UID:a", "DTSTART:99991231T190000", "SUMMARY:Typo") + event(
        "UID:b", "DTSTART:20261116T190000", "SUMMARY:Regular")), encoding="utf-8")
    assert [m.title for m in load(council(tmp_path, "{ics: meetings.ics}")).meetings] == ["Regular"]


def test_a_folder_or_an_empty_file_is_a_one_line_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "folder.ics").mkdir()
    with pytest.raises(ConfigError) as caught:
        load(council(tmp_path, "{ics: folder.ics}"))
    assert "folder.ics: is a folder" in caught.value.problem
    assert "no BEGIN:VCALENDAR" in refusal(tmp_path, "")
