"""The pull cycle's bookkeeping: what each connector is asked, per account and over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.config.settings import load_settings
from auditor.records import AccountRef, Page
from auditor.service import cycle as pipeline
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


class TwoPostsConnector(RecordingConnector):
    """Each pull reads two new posts, as a busy account's timeline would."""

    def __init__(self) -> None:
        super().__init__()
        self.next_id = 1858000000000000100

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        self.asked.append(list(known))
        posts = [post(str(self.next_id + i), at=T0) for i in range(2)]
        self.next_id += 2
        return Pull([Page(posts, newest_id=posts[-1].platform_id)])


def test_the_x_monthly_read_cap_stops_reading_until_next_month(settings, monkeypatch) -> None:
    path = settings.path
    path.write_text(path.read_text() + "platforms: {x: {monthly_read_cap: 3}}\n", encoding="utf-8")
    settings = load_settings(path)
    connector = TwoPostsConnector()
    monkeypatch.setattr(pipeline, "connector_for", lambda *_: connector)
    store = pipeline.open_store(settings)
    env: dict[str, str] = {}
    first = pipeline.run_cycle(settings, store, T0, env, lambda _: None)
    second = pipeline.run_cycle(settings, store, T0 + timedelta(minutes=30), env, lambda _: None)
    third = pipeline.run_cycle(settings, store, T0 + timedelta(minutes=60), env, lambda _: None)
    assert (first.exit_code, second.exit_code, third.exit_code) == (0, 0, 1)
    assert (first.x_read_this_month, second.x_read_this_month, third.x_read_this_month) == (2, 4, 4)
    assert third.outcomes[0].error_kind == "read-cap" and "monthly read cap of 3" in third.outcomes[0].error
    december = pipeline.run_cycle(settings, store, datetime(2026, 12, 1, 0, 5, tzinfo=UTC), env, lambda _: None)
    assert december.exit_code == 0 and december.x_read_this_month == 2
