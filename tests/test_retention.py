"""Retention: residents' words and raw bodies go after their period; the chain still verifies."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from auditor.cli import cli


def auditor(config: Path, now: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", now, *args], catch_exceptions=False)


def test_nothing_is_pruned_without_a_configured_period(archived: Path) -> None:
    assert "everything is kept" in auditor(archived, "2027-11-23T09:00:00-07:00", "prune").output


def test_prune_drops_old_bodies_and_residents_replies_but_keeps_councillors_posts(archived: Path) -> None:
    archived.write_text(archived.read_text() + "retention: {raw_bodies_days: 90, others_comments_days: 30}\n")
    later = "2027-03-01T09:00:00-07:00"
    dry = auditor(archived, later, "prune", "--dry-run")
    expected = "Would remove: 3 raw bodies (hashes kept), 2 replies and comments by others, 0 councillors' posts"
    assert expected in dry.output
    assert "captures" in auditor(archived, later, "verify").output
    done = auditor(archived, later, "prune")
    assert done.exit_code == 0 and done.output.startswith("Removed: 3 raw bodies")
    verify = auditor(archived, later, "verify")
    assert verify.exit_code == 0 and "Archive intact: 3 captures" in verify.output
    posts = auditor(archived, later, "search", "pool")
    assert "1858000000000000008" in posts.output, "the councillor's own post stays"
    assert "Nothing in the archive matches" in auditor(archived, later, "search", "Is the pool open").output
    findings = json.loads(auditor(archived, later, "findings", "--format", "json").output)
    assert "response-time" in {f["rule"] for f in findings}, "findings are never pruned"
    again = auditor(archived, later, "prune", "--dry-run")
    assert "Would remove: 0 raw bodies" in again.output
