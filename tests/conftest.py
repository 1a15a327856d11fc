"""Shared fixtures: real databases (SQLite file, PostgreSQL when a server answers), configs
written under tmp_path, the shared payload folder (skipped where absent)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE_CONFIG = ROOT / "config" / "auditor.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "replay"  # a small recorded council
NOW = "2026-11-23T09:00:00-07:00"
CONFIG = """
council: {{name: Test Council, timezone: America/Edmonton}}
database: {database}
policy: {policy}
replay: {replay}
reports_dir: reports
official_accounts:
  - {{platform: x, handle: CityofLeduc, id: "1111", kind: official-city}}
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: x, handle: JaneDoe, id: "2222", kind: representative}}
meetings:
  - {{start: 2026-11-16T19:00:00-07:00, minutes_released: 2026-11-20T12:00:00-07:00, agenda: [ring road]}}
email: {{from: auditor@example.org, alerts_to: [comms@example.org], weekly_to: [comms@example.org], outbox: outbox}}
"""
POSTGRES_URL = os.environ.get("AUDITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test (with the reason) where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared payloads and corpus come beside the repository, not in it")
    return path


def _postgres_reason() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"no PostgreSQL at {POSTGRES_URL} ({type(exc).__name__}); set AUDITOR_TEST_POSTGRES_URL to test on one"
    return None


_PG_SKIP = _postgres_reason()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a schema of its own on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    schema = f"auditor_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sample_council(tmp_path: Path, database_url: str) -> Path:
    """The bundled sample council's configuration, copied under tmp_path, on the given database.

    Replay bodies and the policy are referenced in place; only the archive, outbox and reports
    are redirected into tmp_path so nothing is written into the source tree.
    """
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace("database: sqlite:///../var/auditor.db", f"database: {database_url}")
    text = text.replace("policy: policy.yaml", f"policy: {ROOT / 'config' / 'policy.yaml'}")
    text = text.replace("replay: sample/replay", f"replay: {ROOT / 'config' / 'sample' / 'replay'}")
    text = text.replace("reports_dir: ../var/reports", f"reports_dir: {tmp_path / 'reports'}")
    text = text.replace("outbox: ../var/outbox", f"outbox: {tmp_path / 'outbox'}")
    path = tmp_path / "auditor.yaml"
    path.write_text(text, encoding="utf-8")
    assert str(tmp_path) in path.read_text()  # the replacements took: nothing lands in the repo
    return path


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    target = tmp_path / "policy.yaml"
    shutil.copy(ROOT / "config" / "policy.yaml", target)
    return target


@pytest.fixture
def archived(tmp_path: Path, database_url: str) -> Path:
    """The small recorded council, captured once (`auditor run`): its configuration path."""
    path = tmp_path / "auditor.yaml"
    path.write_text(CONFIG.format(database=database_url, policy=ROOT / "config" / "policy.yaml", replay=FIXTURES),
                    encoding="utf-8")
    from auditor.cli import cli

    assert CliRunner().invoke(cli, ["--config", str(path), "--now", NOW, "run"]).exit_code == 0
    return path
