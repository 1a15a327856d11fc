"""The pull cycle's bookkeeping: what each connector is asked, per account and over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor import pipeline
from auditor.records import AccountRef, Page
from auditor.settings import load_settings
from connectors.base import Pull
from tests.conftest import ROOT
from tests.fakes import post

T0 = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)


class RecordingConnector:
    """A connector that returns one post and remembers which archived ids it was asked about."""

    platform = "x"

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        self.asked.append(list(known))
        return Pull([Page([post("1858000000000000001", at=T0)], newest_id="1858000000000000001")])

    def check(self, account: AccountRef) -> str:
        return "2222"


@pytest.fixture
def settings(tmp_path: Path):
    path = tmp_path / "auditor.yaml"
    path.write_text(f"""
council: {{name: Test, timezone: America/Edmonton}}
database: sqlite:///{tmp_path / 'a.db'}
policy: {ROOT / 'config' / 'policy.yaml'}
councillors:
  - name: Jane Doe
    accounts: [{{platform: x, handle: JaneDoe, id: "2222", kind: representative}}]
deletions: {{window_days: 14, check_every_hours: 24}}
""", encoding="utf-8")
    return load_settings(path)


def test_deleted_posts_are_looked_for_once_per_interval_not_every_cycle(settings, monkeypatch) -> None:
    connector = RecordingConnector()
    monkeypatch.setattr(pipeline, "connector_for", lambda *_: connector)
    store = pipeline.open_store(settings)
    for minutes in (0, 30, 60):
        pipeline.pull_all(settings, store, T0 + timedelta(minutes=minutes), {}, lambda _: None)
    pipeline.pull_all(settings, store, T0 + timedelta(hours=25), {}, lambda _: None)
    assert connector.asked == [[], [], [], ["1858000000000000001"]], (
        "the first cycle has nothing archived; the next check waits a day (X bills every post re-read)")
