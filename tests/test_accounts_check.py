"""`auditor accounts check`: every account's access verified, ids resolved, problems explained."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from auditor.archive.store import Store
from auditor.cli import cli
from auditor.config.settings import load_settings
from tests.conftest import ROOT

LIVE = """
council: {{name: Test Council, timezone: America/Edmonton}}
database: sqlite:///{db}
policy: {policy}
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: x, handle: JaneDoe, kind: personal}}
      - {{platform: facebook, handle: JaneDoePage, kind: representative}}
"""


@pytest.fixture
def live_config(tmp_path: Path) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(LIVE.format(db=tmp_path / "a.db", policy=ROOT / "config" / "policy.yaml"), encoding="utf-8")
    return path


@pytest.fixture
def run_check(monkeypatch: pytest.MonkeyPatch):
    def run(config: Path, env: dict[str, str]) -> tuple[int, str]:
        for name in ("X_BEARER_TOKEN", "FACEBOOK_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(cli, ["--config", str(config), "accounts", "check"], catch_exceptions=False)
        return result.exit_code, result.output

    return run


@responses.activate
def test_live_accounts_are_resolved_and_a_missing_token_is_explained(live_config: Path, run_check) -> None:
    responses.get("https://api.twitter.com/2/users/by/username/JaneDoe",
                  json={"data": {"id": "2244994945", "name": "Jane Doe", "username": "JaneDoe", "description": "hi"}})
    code, output = run_check(live_config, {"X_BEARER_TOKEN": "test-token-not-real"})
    assert code == 1
    lines = output.splitlines()
    assert lines[0].split() == ["PLATFORM", "HANDLE", "OWNER", "ID", "STATUS"]
    assert lines[1].split() == ["x", "JaneDoe", "Jane", "Doe", "2244994945", "OK"]
    assert "facebook @JaneDoePage: " in output and "FACEBOOK_TOKEN" in output
    assert "test-token-not-real" not in output
    stored = {a.handle: a.platform_id for a in Store(load_settings(live_config).database_url).accounts()}
    assert stored["JaneDoe"] == "2244994945", "the resolved id is kept for the next pull"


@responses.activate
def test_an_expired_token_is_reported_with_what_to_do(live_config: Path, run_check) -> None:
    responses.get("https://api.twitter.com/2/users/by/username/JaneDoe", status=401,
                  json={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
    code, output = run_check(live_config, {"X_BEARER_TOKEN": "expired", "FACEBOOK_TOKEN": "x"})
    assert code == 1
    assert "x @JaneDoe:" in output and "X_BEARER_TOKEN" in output


def test_replayed_accounts_check_their_recorded_bodies(tmp_path: Path, run_check) -> None:
    config = tmp_path / "auditor.yaml"
    config.write_text(f"""
council: {{name: Test Council, timezone: America/Edmonton}}
database: sqlite:///{tmp_path / 'a.db'}
policy: {ROOT / 'config' / 'policy.yaml'}
replay: {ROOT / 'tests' / 'fixtures' / 'replay'}
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: x, handle: JaneDoe, kind: personal}}
      - {{platform: x, handle: NoBodies, kind: personal}}
""", encoding="utf-8")
    code, output = run_check(config, {})
    assert code == 1
    assert output.splitlines()[1].split()[-2:] == ["2222", "OK"], "the id read from the recorded bodies"
    assert "x @NoBodies:" in output and "no recorded bodies" in output
