"""The bundled sample council, end to end: exactly the planted findings, nothing else.

The cases are listed in config/sample/README.md; this test is that table, executed.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from auditor.cli import cli

EXPECTED = {
    ("decision-before-release", "high", "JaneDoeLeduc", "2122547779679932416"),
    ("in-camera", "high", "AmritSinghYEG", "2122786855523045376"),
    ("tone", "medium", "AmritSinghYEG", "2122880221891436544"),
    ("unmoderated-debate", "medium", "AmritSinghYEG", "2122880221891436544"),
    ("response-time", "medium", "AmritSinghYEG", "2123087335933796352"),
    ("response-time", "low", "MarieTremblayLeduc", "122100948412000408_1187094846600609"),
    ("emergency-protocol", "medium", "MarieTremblayLeduc", "200000000000003_122100950257009656"),
    ("official-account-politics", "medium", "MarieTremblayLeduc", "122100951832005289_1187095277100968"),
    ("disclaimer", "low", "JaneDoeLeduc", "2122375395490791424"),
    ("cadence", "low", "TomBeckerCouncil", None),
}


def invoke(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_the_demo_finds_exactly_the_planted_cases(sample_council: Path, tmp_path: Path) -> None:
    result = invoke(sample_council, "demo")
    assert result.exit_code == 0, result.output
    assert "Auditing as of Mon 23 Nov 2026" in result.output
    assert "8 of 8 accounts read" in result.output
    findings = json.loads(invoke(sample_council, "findings", "--format", "json").output)
    assert {(f["rule"], f["severity"], f["account"], f["post_id"]) for f in findings} == EXPECTED
    report = (tmp_path / "reports" / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert "Week 47, 16–22 November 2026" in report
    assert "<script>" not in report.split("</head>")[1], "no script from any post reaches the page"
    alerts = sorted((tmp_path / "outbox").glob("alert-*.eml"))
    assert len(alerts) == 2, "one alert per high finding"
    assert (tmp_path / "outbox" / "weekly-2026-W47.eml").exists()


def test_a_second_demo_changes_nothing_and_sends_nothing_again(sample_council: Path, tmp_path: Path) -> None:
    invoke(sample_council, "demo")
    before = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    first = json.loads(invoke(sample_council, "findings", "--format", "json").output)
    again = invoke(sample_council, "demo")
    assert "0 new, 0 edited" in again.output and "New findings: none." in again.output
    assert json.loads(invoke(sample_council, "findings", "--format", "json").output) == first
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == before
