"""Search: accents, emoji, edits and deletions all findable, quoted from the original."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from auditor.archive.search import search
from auditor.archive.store import Store
from auditor.cli import cli
from tests.conftest import NOW
from tests.fakes import page, post

T0 = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)


def test_accents_case_and_emoji_are_found(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    store.sync_accounts([("x", "JaneDoe", "2222", "personal", "Jane Doe")])
    store.ingest("x", "JaneDoe", [page(post("101", "Rendez-vous au Café Élan ce soir 🎉🇨🇦"), post("102", "Plain"))],
                 T0, "replay")
    assert [h.post_id for h in search(store, "cafe elan")] == ["101"]
    assert [h.post_id for h in search(store, "CAFÉ")] == ["101"]
    assert [h.post_id for h in search(store, "🇨🇦")] == ["101"]
    assert search(store, "Café Élan")[0].snippet == "Rendez-vous au Café Élan ce soir 🎉🇨🇦"
    assert search(store, "   ") == []


def test_earlier_versions_and_deleted_posts_are_found(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    store.sync_accounts([("x", "JaneDoe", "2222", "personal", "Jane Doe")])
    store.ingest("x", "JaneDoe", [page(post("101", "We approved the land deal"))], T0, "replay")
    store.ingest("x", "JaneDoe", [page(post("101", "Council met tonight"))], T0 + timedelta(hours=1), "replay")
    store.mark_deleted("x", "101", T0 + timedelta(days=1))
    hit = search(store, "land deal")[0]
    assert (hit.post_id, hit.version, hit.versions) == ("101", 1, 2)
    assert hit.deleted_at == T0 + timedelta(days=1)


def test_the_command_filters_by_councillor_and_dates(archived: Path) -> None:
    def run(*args: str) -> str:
        return CliRunner().invoke(cli, ["--config", str(archived), "--now", NOW, "search", *args]).output

    assert "1858000000000000008" in run("open house", "--councillor", "Jane Doe")
    assert "Nothing in the archive matches" in run("open house", "--to", "2026-11-17")
    assert "Nothing in the archive matches" in run("snow clearing", "--councillor", "Jane Doe")
    assert "1857000000000000001" in run("snow clearing", "--platform", "x")


def test_the_sqlite_index_finds_what_the_scan_finds_and_follows_new_versions(tmp_path: Path) -> None:
    from auditor.archive import search as search_module

    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    store.sync_accounts([("x", "JaneDoe", "2222", "personal", "Jane Doe")])
    store.ingest("x", "JaneDoe", [page(post("101", "Le Café Élan ouvre"), post("102", "Snow routes"))], T0, "replay")
    assert [h.post_id for h in search(store, "café élan")] == ["101"]
    store.ingest("x", "JaneDoe", [page(post("103", "Another CAFE ELAN night"))], T0 + timedelta(hours=1), "replay")
    indexed = search_module._indexed_candidates(store, "cafe elan")
    assert indexed is not None and len(indexed) == 2, "the index caught up with the new version"
    assert sorted(h.post_id for h in search(store, "cafe elan")) == ["101", "103"]
