"""Review decisions: a history with who and when; dismissals hold unless the post changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from auditor.cli import cli
from tests.conftest import FIXTURES, NOW


def auditor(config: Path, *args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", now, *args], catch_exceptions=False)


def finding(config: Path, rule: str) -> dict:
    return next(f for f in json.loads(auditor(config, "findings", "--format", "json").output) if f["rule"] == rule)


def test_dismissing_or_escalating_needs_a_note_and_a_name(archived: Path) -> None:
    fid = str(finding(archived, "decision-before-release")["id"])
    assert auditor(archived, "review", fid, "--dismiss", "--by", "Ann Clerk").exit_code == 2
    assert auditor(archived, "review", fid, "--escalate", "--by", "Ann Clerk").exit_code == 2
    assert auditor(archived, "review", fid, "--acknowledge").exit_code == 2
    missing = auditor(archived, "review", "9999", "--acknowledge", "--by", "Ann Clerk")
    assert missing.exit_code == 2 and "no finding #9999" in missing.output
    assert finding(archived, "decision-before-release")["status"] == "open"


def test_decisions_are_a_history_and_the_status_is_the_latest(archived: Path) -> None:
    fid = str(finding(archived, "decision-before-release")["id"])
    auditor(archived, "review", fid, "--escalate", "--note", "Call the councillor", "--by", "Ann Clerk")
    auditor(archived, "review", fid, "--acknowledge", "--by", "Bo Comms", now="2026-11-24T10:00:00-07:00")
    history = auditor(archived, "review", fid).output.splitlines()
    assert [line.split()[3] for line in history] == ["escalated", "acknowledged"]
    assert "by Ann Clerk: Call the councillor" in history[0]
    assert finding(archived, "decision-before-release")["status"] == "acknowledged"


def test_a_dismissed_finding_stays_dismissed_on_re_audit(archived: Path) -> None:
    fid = str(finding(archived, "decision-before-release")["id"])
    auditor(archived, "review", fid, "--dismiss", "--note", "Decision was public", "--by", "Ann Clerk")
    auditor(archived, "run")
    auditor(archived, "audit")
    assert finding(archived, "decision-before-release")["status"] == "dismissed"
    assert (
        len(
            [
                f
                for f in json.loads(auditor(archived, "findings", "--format", "json").output)
                if f["rule"] == "decision-before-release"
            ]
        )
        == 1
    )


def test_a_post_edited_after_dismissal_is_looked_at_again(archived: Path, tmp_path: Path) -> None:
    fid = str(finding(archived, "decision-before-release")["id"])
    auditor(archived, "review", fid, "--dismiss", "--note", "Decision was public", "--by", "Ann Clerk")
    edited = tmp_path / "edited"
    shutil.copytree(FIXTURES, edited)
    body = edited / "x" / "JaneDoe" / "001-users-tweets.json"
    body.write_text(
        body.read_text(encoding="utf-8").replace("Council voted tonight", "Council voted tonight, 5-2,"),
        encoding="utf-8",
    )
    result = auditor(archived, "run", "--replay", str(edited), now="2026-11-24T09:00:00-07:00")
    assert "1 edited" in result.output
    assert finding(archived, "decision-before-release")["status"] == "open"
    history = auditor(archived, "review", fid).output
    assert "reopened" in history and "edited after this finding was dismissed" in history


def test_a_reviewers_decision_and_the_archive_state_appear_in_the_next_weekly_report(
    archived: Path, tmp_path: Path
) -> None:
    fid = str(finding(archived, "decision-before-release")["id"])
    auditor(archived, "review", fid, "--escalate", "--note", "Call the councillor today", "--by", "Ann Clerk")
    auditor(archived, "report", "weekly", "--week", "2026-W47")
    html = (tmp_path / "reports" / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert "status: escalated (escalated by Ann Clerk on 23 Nov 2026: Call the councillor today)" in html
    assert "Archive intact" in html and "3 raw responses" in html


def test_the_departments_decisions_measure_each_rule_and_export_as_labelled_examples(archived: Path) -> None:
    reviewed = [f for f in json.loads(auditor(archived, "findings", "--format", "json").output)
                if f["rule"] != "deleted-post"][:2]
    upheld, dismissed = str(reviewed[0]["id"]), str(reviewed[1]["id"])
    auditor(archived, "review", upheld, "--escalate", "--note", "Call the councillor", "--by", "Ann Clerk")
    auditor(archived, "review", dismissed, "--dismiss", "--note", "A quote, not her words", "--by", "Ann Clerk")

    status = auditor(archived, "status").output
    assert "Decisions in the last 90 days" in status
    assert f"{reviewed[0]['rule']}: 1 upheld" in status

    lines = auditor(archived, "findings", "--format", "jsonl", "--with-decisions").output.splitlines()
    examples = {str(e["id"]): e for e in map(json.loads, lines)}
    assert set(examples) == {upheld, dismissed}, "only reviewed findings are examples"
    assert (examples[upheld]["decision"], examples[upheld]["upheld"]) == ("escalated", True)
    assert (examples[dismissed]["note"], examples[dismissed]["upheld"]) == ("A quote, not her words", False)
    assert examples[upheld]["text"], "the post's text travels with its label"
