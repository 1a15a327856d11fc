"""The archive on a real SQLite file and, where a server answers, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auditor.archive import models
from auditor.archive.store import Store
from auditor.records import Page
from tests.fakes import HOSTILE, page, post

T0 = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Store:
    store = Store(database_url)
    store.sync_accounts(
        [("x", "JaneDoe", "2222", "personal", "Jane Doe"), ("x", "CityofLeduc", "1111", "official-city", None)]
    )
    yield store
    store.close()


def test_ingesting_the_same_bodies_twice_changes_nothing(store: Store) -> None:
    body = page(
        post("101"), post("102", "Second"), post("103", "Reply?", author_id="999", kind="reply", parent_id="101")
    )
    first = store.ingest("x", "JaneDoe", [body], T0, "replay")
    before = store.counts()
    second = store.ingest("x", "JaneDoe", [body], T0 + timedelta(hours=1), "replay")
    assert (first.new, first.updated) == (3, 0)
    assert (second.new, second.updated) == (0, 0)
    assert store.counts() == before


def test_an_edited_post_keeps_every_earlier_version(store: Store) -> None:
    store.ingest("x", "JaneDoe", [page(post("101", "Council met tonight"))], T0, "replay")
    store.ingest("x", "JaneDoe", [page(post("101", "Council met tonight (edited)"))], T0 + timedelta(hours=2), "replay")
    counts = store.ingest(
        "x", "JaneDoe", [page(post("101", "Council met tonight (edited)"))], T0 + timedelta(hours=3), "replay"
    )
    assert counts.updated == 0
    with store.session() as session:
        row = session.scalar(select(models.Post).filter_by(platform_id="101"))
        assert row.text == "Council met tonight (edited)"
        assert [v.text for v in row.versions] == ["Council met tonight", "Council met tonight (edited)"]
        assert row.first_seen == T0
        assert row.last_seen == T0 + timedelta(hours=3)


def test_a_hostile_post_is_stored_exactly_as_received(store: Store) -> None:
    long_text = HOSTILE + " " + "x" * 10_000
    store.ingest("x", "JaneDoe", [page(post("101", long_text))], T0, "replay")
    views = store.post_views()
    assert views[0].text == long_text
    with store.session() as session:
        assert session.scalar(select(models.Post.raw).filter_by(platform_id="101"))["text"] == long_text


def test_posts_resolve_to_the_configured_account_that_wrote_them(store: Store) -> None:
    store.ingest(
        "x",
        "CityofLeduc",
        [
            page(
                post("201", "City news", author_id="1111"),
                post("202", "Councillor comment", author_id="2222", kind="reply", parent_id="201"),
                post("203", "Resident", author_id="777", kind="reply", parent_id="201"),
            )
        ],
        T0,
        "replay",
    )
    by_id = {v.platform_id: v for v in store.post_views()}
    assert by_id["202"].councillor == "Jane Doe" and by_id["202"].feed_account == "CityofLeduc"
    assert by_id["201"].author_account == "CityofLeduc" and by_id["201"].councillor is None
    assert by_id["203"].author_account is None


def test_the_cursor_moves_to_the_newest_id_numerically(store: Store) -> None:
    store.ingest("x", "JaneDoe", [page(post("99")), page(post("1000"))], T0, "replay")
    store.ingest("x", "JaneDoe", [page(post("999"))], T0, "replay")
    account = next(a for a in store.accounts() if a.handle == "JaneDoe")
    assert account.cursor == "1000"


def test_times_come_back_in_utc_on_every_database(store: Store) -> None:
    edmonton = T0.astimezone(__import__("zoneinfo").ZoneInfo("America/Edmonton"))
    store.ingest("x", "JaneDoe", [page(post("101", at=edmonton))], T0, "replay")
    created = store.post_views()[0].created_at
    assert created == T0 and created.utcoffset() == timedelta(0)


def test_a_run_records_each_account_and_its_error(store: Store) -> None:
    from auditor.archive.store import IngestCounts

    run_id = store.start_run(T0, "replay")
    store.record_account(run_id, "x", "JaneDoe", IngestCounts(3, 2, 1), T0)
    store.record_account(run_id, "x", "CityofLeduc", IngestCounts(), T0, error_kind="auth", error="token expired",
                         advice="Renew the access token in X_BEARER_TOKEN.")
    assert store.finish_run(run_id, T0) == "partial"
    run = store.runs()[-1]
    assert [(a.handle, a.new, a.error_kind) for a in run.accounts] == [
        ("JaneDoe", 2, None),
        ("CityofLeduc", 0, "auth"),
    ]
    city = next(a for a in store.accounts() if a.handle == "CityofLeduc")
    assert (city.last_error_kind, city.last_error, city.last_error_advice) == (
        "auth", "token expired", "Renew the access token in X_BEARER_TOKEN."), "kept as parts, never one string"
    store.ingest("x", "CityofLeduc", [], T0, "replay")
    city = next(a for a in store.accounts() if a.handle == "CityofLeduc")
    assert (city.last_error_kind, city.last_error, city.last_error_advice) == (None, None, None)


def test_the_schema_is_upgraded_in_place_on_an_existing_database(database_url: str) -> None:
    Store(database_url).close()
    reopened = Store(database_url)  # a second open finds the schema at head and changes nothing
    assert reopened.counts()["posts"] == 0
    reopened.close()


def test_a_post_the_platform_reports_gone_is_marked_deleted_and_kept(store: Store) -> None:
    from auditor.records import Page

    store.ingest("x", "JaneDoe", [page(post("101", "Regretted post")), page(post("102"))], T0, "replay")
    later = T0 + timedelta(days=1)
    counts = store.ingest("x", "JaneDoe", [Page([], gone_ids=["101", "999"])], later, "replay")
    again = store.ingest("x", "JaneDoe", [Page([], gone_ids=["101"])], later + timedelta(hours=1), "replay")
    assert (counts.deleted, again.deleted) == (1, 0)
    views = {v.platform_id: v for v in store.post_views()}
    assert views["101"].deleted_at == later and views["101"].text == "Regretted post"
    assert views["102"].deleted_at is None


def test_a_post_twice_in_one_page_is_stored_once_with_each_text_as_a_version(store: Store) -> None:
    counts = store.ingest("x", "JaneDoe", [page(post("101", "First"), post("101", "First, edited"))], T0, "replay")
    assert (counts.new, counts.updated) == (1, 1)
    with store.session() as session:
        row = session.scalar(select(models.Post).filter_by(platform_id="101"))
        assert row.text == "First, edited"
        assert sorted(v.text for v in row.versions) == ["First", "First, edited"]  # both seen at T0


def test_a_later_body_fills_in_what_an_earlier_one_left_out_without_counting_an_edit(store: Store) -> None:
    store.ingest("x", "JaneDoe", [page(post("103", "Reply?", author_id="999", kind="reply"))], T0, "replay")
    later = post("103", "Reply?", author_id="999", kind="reply", parent_id="101", handle="resident",
                 conversation_id="101")
    counts = store.ingest("x", "JaneDoe", [page(later)], T0 + timedelta(hours=1), "replay")
    assert (counts.new, counts.updated) == (0, 0)
    view = store.post_views()[0]
    assert (view.parent_id, view.author_handle, view.conversation_id) == ("101", "resident", "101")
    assert store.counts()["post_versions"] == 1


def test_posts_the_platform_reports_gone_are_marked_once_and_kept(store: Store) -> None:
    store.ingest("x", "JaneDoe", [page(post("101"), post("102"))], T0, "replay")
    gone = Page([], gone_ids=["101", "999"])
    assert store.ingest("x", "JaneDoe", [gone], T0 + timedelta(hours=1), "replay").deleted == 1
    assert store.ingest("x", "JaneDoe", [gone], T0 + timedelta(hours=2), "replay").deleted == 0
    views = {v.platform_id: v.deleted_at for v in store.post_views()}
    assert views == {"101": T0 + timedelta(hours=1), "102": None}
