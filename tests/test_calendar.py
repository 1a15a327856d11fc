"""Meetings from an iCalendar file, as municipalities publish them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from auditor.config.settings import ConfigError, load_settings
from auditor.engine.context import AuditContext, MeetingInfo
from auditor.engine.evaluate import enabled_rules, evaluate
from auditor.records import PostView
from tests.conftest import ROOT

EDMONTON = ZoneInfo("America/Edmonton")
ICS = ROOT / "tests" / "fixtures" / "meetings.ics"


def council(tmp_path: Path, meetings: str) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(f"council: {{name: Test, timezone: America/Edmonton}}\npolicy: {ROOT / 'config' / 'policy.yaml'}\n"
                    f"meetings: {meetings}\n", encoding="utf-8")
    return path


def test_meetings_come_from_the_calendar_with_their_release_agenda_and_in_camera_topics(tmp_path: Path) -> None:
    settings = load_settings(council(tmp_path, f"{{ics: {ICS}}}"))
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
    settings = load_settings(council(tmp_path, f"{{ics: {ICS}}}"))

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
        load_settings(council(tmp_path, "{ics: meetings.ics}"))
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
    (special,) = load_settings(council(tmp_path, "{ics: meetings.ics}")).meetings
    assert special.start == datetime(2026, 11, 23, 12, tzinfo=EDMONTON), "a UTC start stays UTC"
    assert special.minutes_released == datetime(2026, 11, 25, 12, tzinfo=EDMONTON), "TZID on the release"
    assert special.agenda == ["transit fares", "snow clearing", "rinks"]
    assert special.in_camera_topics == ["CAO review"]


def test_a_repeating_event_is_refused_rather_than_counted_once(tmp_path: Path) -> None:
    (tmp_path / "meetings.ics").write_text(EVENT.format(events=event(
        "UID:a", "DTSTART:20261116T190000", "SUMMARY:Regular", "RRULE:FREQ=WEEKLY;BYDAY=MO",
    )), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(council(tmp_path, "{ics: meetings.ics}"))
    assert caught.value.field == "meetings.ics" and "RRULE" in caught.value.problem
