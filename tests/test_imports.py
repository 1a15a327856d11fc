"""Imports of platform exports: the same posts as the API gives, through the same rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.cli import cli
from auditor.records import AccountRef
from connectors.errors import MalformedBody
from connectors.facebook_export import parse_facebook_export, repair_mojibake
from connectors.x_archive import parse_x_archive
from connectors.x_parse import parse_x_page
from tests.conftest import FIXTURES, NOW, ROOT

IMPORTS = ROOT / "tests" / "fixtures" / "imports"
JANE = AccountRef("x", "JaneDoe", "2222")


def test_an_x_archive_gives_the_same_posts_as_the_api_for_the_same_tweets() -> None:
    archive = {p.platform_id: p for p in parse_x_archive((IMPORTS / "tweets.js").read_text(), JANE).posts}
    body = json.loads((FIXTURES / "x" / "JaneDoe" / "001-users-tweets.json").read_text())
    api = {p.platform_id: p for p in parse_x_page(body, JANE).posts if p.author_id == "2222"}
    assert set(api) <= set(archive)
    for pid, post in api.items():
        got = archive[pid]
        assert (got.text, got.created_at, got.kind, got.parent_id, got.author_id, got.url) == (
            post.text,
            post.created_at,
            post.kind,
            post.parent_id,
            post.author_id,
            post.url,
        )
    assert archive["1858000000000000020"].kind == "repost"


def test_a_facebook_export_is_decoded_from_its_latin1_escaping() -> None:
    page = parse_facebook_export((IMPORTS / "your_posts_1.json").read_text(), AccountRef("facebook", "JanePersonal"))
    texts = [p.text for p in page.posts]
    assert texts[0] == "Rendez-vous au café du marché samedi 🎉 — everyone welcome!"
    assert len(page.posts) == 2, "a photo without words is not a post the rules can read"
    assert len({p.platform_id for p in page.posts}) == 2 and all(
        p.platform_id.startswith("export-") for p in page.posts
    )
    again = parse_facebook_export((IMPORTS / "your_posts_1.json").read_text(), AccountRef("facebook", "JanePersonal"))
    assert [p.platform_id for p in again.posts] == [p.platform_id for p in page.posts], "ids are stable"
    assert repair_mojibake("already fine: café") == "already fine: café"


def test_a_broken_export_is_a_clear_error() -> None:
    with pytest.raises(MalformedBody, match="not an X archive"):
        parse_x_archive("window.YTD.tweets.part0 = [ {", JANE)


@pytest.fixture
def council(tmp_path: Path) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(
        f"""
council: {{name: Test Council, timezone: America/Edmonton}}
database: sqlite:///{tmp_path / "a.db"}
policy: {ROOT / "config" / "policy.yaml"}
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: x, handle: JaneDoe, id: "2222", kind: representative}}
      - {{platform: facebook, handle: JanePersonal, kind: personal}}
meetings:
  - {{start: 2026-11-16T19:00:00-07:00, minutes_released: 2026-11-20T12:00:00-07:00}}
""",
        encoding="utf-8",
    )
    return path


def auditor(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, *args], catch_exceptions=False)


def test_imported_posts_are_archived_marked_and_audited(council: Path) -> None:
    result = auditor(council, "import", "x-archive", str(IMPORTS / "tweets.js"), "--account", "JaneDoe")
    assert result.exit_code == 0 and "3 posts read, 3 new" in result.output
    again = auditor(council, "import", "x-archive", str(IMPORTS / "tweets.js"), "--account", "JaneDoe")
    assert "0 new" in again.output
    auditor(council, "import", "facebook-export", str(IMPORTS / "your_posts_1.json"), "--account", "JanePersonal")
    findings = json.loads(auditor(council, "findings", "--format", "json").output)
    assert {(f["rule"], f["account"]) for f in findings} >= {
        ("decision-before-release", "JaneDoe"),
        ("in-camera", "JanePersonal"),
    }
    assert "Archive intact: 2 captures" in auditor(council, "verify").output, "the export files are the evidence"


def test_importing_into_an_unconfigured_account_is_refused(council: Path) -> None:
    result = auditor(council, "import", "x-archive", str(IMPORTS / "tweets.js"), "--account", "Nobody")
    assert result.exit_code == 2 and "no x account 'Nobody'" in result.output
