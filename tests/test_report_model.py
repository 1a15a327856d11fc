"""The report's figures count what the rules count."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from auditor.config.policy import GoodPractice
from auditor.engine.context import AccountInfo, AuditContext
from auditor.engine.practice import PracticeFinder
from auditor.engine.text import Lexicon
from auditor.records import PostView
from reports.model import build_report
from reports.period import iso_week

TZ = ZoneInfo("America/Edmonton")


def view(pid: str, text: str, councillor: str | None, parent: str | None = None) -> PostView:
    return PostView(platform="x", platform_id=pid, feed_account="tom", author_id="tom" if councillor else "r1",
                    author_handle="tom" if councillor else "r1", author_account="tom" if councillor else None,
                    councillor=councillor, kind="reply" if parent else "post", text=text,
                    created_at=datetime(2026, 11, 17, 9, tzinfo=TZ), url=None, parent_id=parent)


def test_rhetorical_questions_are_not_counted_as_questions_awaiting_an_answer() -> None:
    posts = [view("1", "Santa Claus parade Saturday!", "Tom Becker"),
             view("2", "Who else is excited for the parade?", None, parent="1"),
             view("3", "What time does it start?", None, parent="1")]
    ctx = AuditContext(now=datetime(2026, 11, 23, tzinfo=TZ), tz=TZ, posts=posts,
                       accounts=[AccountInfo("x", "tom", "representative", "Tom Becker")])

    def asked(rhetorical: Lexicon | None) -> int:
        report = build_report(council="Test", title="Weekly", ctx=ctx, period=iso_week("2026-W47", TZ),
                              finding_rows=[], account_rows=[], practice=PracticeFinder(GoodPractice()), clauses={},
                              policy_name="policy", config_path="auditor.yaml", rhetorical=rhetorical)
        return report.councillors[0].questions

    assert asked(Lexicon(["who else"])) == 1
    assert asked(None) == 2
