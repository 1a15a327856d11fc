"""The live Bluesky connector against the public AppView, with HTTP faked at the httpx transport
(`respx`: the atproto SDK sends through httpx). Bodies: the real getPostThread recording from
MarshalX/atproto read in place from ../shared, and getAuthorFeed/getPosts/getProfile bodies
written from the lexicon (tests/fixtures/bluesky; they validate against the SDK's models)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from auditor.archive.store import Store
from auditor.records import AccountRef
from connectors.bluesky import APPVIEW, BlueskyConnector, appview_client, make_bluesky
from connectors.errors import MalformedBody, NotFound, PlatformError, RateLimited
from connectors.http import BodyRecorder

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bluesky"
RECORDED = (Path(__file__).resolve().parents[2] / "shared" / "payloads" / "bluesky" / "MarshalX_atproto"
            / "thread_view_post_with_embed_media.json")
JANE_DID = "did:plc:jd3leducwardthreecouncil"
JANE = AccountRef("bluesky", "janedoe.bsky.social")
OPEN_HOUSE = f"at://{JANE_DID}/app.bsky.feed.post/3lbopenhouse2a"
DELETED = f"at://{JANE_DID}/app.bsky.feed.post/3lbdeletedpost"
REPOST = f"at://{JANE_DID}/app.bsky.feed.repost/3lbrepostcity2"
CLOCK = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def body(text: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, text=text, headers={"content-type": "application/json; charset=utf-8", **headers})


@pytest.fixture
def appview() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=APPVIEW, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def bluesky() -> BlueskyConnector:
    recorder = BodyRecorder()
    return BlueskyConnector(appview_client(recorder), recorder, clock=lambda: CLOCK)


def params(call: Any) -> dict[str, list[str]]:
    return parse_qs(call.request.url.query.decode())


def calls_to(mock: respx.MockRouter, nsid: str) -> list[Any]:
    return [c for c in mock.calls if c.request.url.path.endswith(nsid)]


def serve_feed(mock: respx.MockRouter, *, thread: str | None = None) -> None:
    mock.get("/app.bsky.actor.getProfile").mock(return_value=body(fixture("profile.json")))
    mock.get("/app.bsky.feed.getAuthorFeed", params={"cursor": "2026-11-16T18:00:00.000Z"}).mock(
        return_value=body(fixture("author_feed_p2.json")))
    mock.get("/app.bsky.feed.getAuthorFeed").mock(return_value=body(fixture("author_feed_p1.json")))
    mock.get("/app.bsky.feed.getPostThread").mock(return_value=body(thread or fixture("thread_open_house.json")))


def test_the_sdk_sends_through_httpx_which_is_where_the_fake_sits():
    client = appview_client(BodyRecorder())

    assert isinstance(client.request._client, httpx.Client)  # respx patches httpx's transport
    assert client._base_url == APPVIEW


def test_feed_pages_reposts_replies_and_residents_replies_are_read(appview, bluesky):
    serve_feed(appview)

    pull = bluesky.pull(JANE, None)

    profile, = calls_to(appview, "getProfile")
    assert params(profile) == {"actor": ["janedoe.bsky.social"]}
    first, second = calls_to(appview, "getAuthorFeed")
    assert params(first)["actor"] == [JANE_DID] and params(first)["limit"] == ["100"] and "cursor" not in params(first)
    assert params(second)["cursor"] == ["2026-11-16T18:00:00.000Z"]
    thread, = calls_to(appview, "getPostThread")
    assert params(thread)["uri"] == [OPEN_HOUSE]  # the one post with replies
    posts = {p.platform_id: p for page in pull.pages for p in page.posts}
    repost = posts[REPOST]
    assert (repost.kind, repost.author_id, repost.parent_id) == ("repost", JANE_DID,
                                                                  "at://did:plc:cityofleducofficial22222/app.bsky."
                                                                  "feed.post/3lbcityboil22a")
    assert repost.text.startswith("RT @cityofleduc.bsky.social: Boil water advisory")
    assert posts[repost.parent_id].author_handle == "cityofleduc.bsky.social"  # the City's post, kept as the City's
    sally = posts["at://did:plc:residentsallyokafor22222/app.bsky.feed.post/3lbsallyreply2"]
    assert (sally.kind, sally.parent_id, sally.conversation_id) == ("reply", OPEN_HOUSE, OPEN_HOUSE)
    jane_answer = posts[f"at://{JANE_DID}/app.bsky.feed.post/3lbjanereply2a"]
    assert jane_answer.parent_id == "at://did:plc:residentmarkpaquette7777/app.bsky.feed.post/3lbmarkreply2a"
    assert posts[OPEN_HOUSE].url == "https://bsky.app/profile/janedoe.bsky.social/post/3lbopenhouse2a"
    assert pull.profile == "Councillor, Ward 3, City of Leduc. Views are my own."
    assert pull.requests == 4 and pull.pages[0].account_id == JANE_DID
    assert pull.pages[-1].gone_ids == ["at://did:plc:residentsallyokafor22222/app.bsky.feed.post/3lbsallygone22"]


def test_the_cursor_is_the_newest_item_time_and_the_next_cycle_stops_there(appview, bluesky, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("bluesky", "janedoe.bsky.social", None, "personal", "Jane Doe")])
    serve_feed(appview)

    first = bluesky.pull(JANE, None)
    store.ingest("bluesky", "janedoe.bsky.social", first.pages, CLOCK, "live", first.profile)
    cursor = store.accounts()[0].cursor
    second = bluesky.pull(JANE, cursor)
    store.close()

    # The repost at 15:00 is the newest item; the pinned September post never counts.
    assert cursor == "2026-11-18T15:00:00+00:00" and store.accounts()[0].platform_id == JANE_DID
    assert len(calls_to(appview, "getAuthorFeed")) == 3  # two pages, then one: page 1 reaches the cursor
    assert len(second.pages) == 2


def test_a_foreign_cursor_is_ignored(appview, bluesky):
    serve_feed(appview)

    bluesky.pull(JANE, "1860000000000000001")

    assert len(calls_to(appview, "getAuthorFeed")) == 2


def test_archived_posts_missing_from_get_posts_are_gone_and_reposts_are_never_asked(appview, bluesky):
    appview.get("/app.bsky.actor.getProfile").mock(return_value=body(fixture("profile.json")))
    appview.get("/app.bsky.feed.getAuthorFeed").mock(return_value=body(fixture("author_feed_empty.json")))
    appview.get("/app.bsky.feed.getPosts").mock(return_value=body(fixture("get_posts.json")))
    appview.get("/app.bsky.feed.getPostThread").mock(return_value=body(fixture("thread_open_house.json")))
    someone_elses = "at://did:plc:cityofleducofficial22222/app.bsky.feed.post/3lbcityboil22a"

    pull = bluesky.pull(JANE, None, [OPEN_HOUSE, DELETED, REPOST, someone_elses, "not-a-uri"])

    lookup, = calls_to(appview, "getPosts")
    assert params(lookup)["uris"] == [OPEN_HOUSE, DELETED]
    assert [i for page in pull.pages for i in page.gone_ids][:1] == [DELETED]
    assert params(calls_to(appview, "getPostThread")[0])["uri"] == [OPEN_HOUSE]  # still alive, with replies


def test_get_posts_is_asked_25_uris_at_a_time(appview, bluesky):
    known = [f"at://{JANE_DID}/app.bsky.feed.post/3lb{n:010d}" for n in range(30)]
    appview.get("/app.bsky.actor.getProfile").mock(return_value=body(fixture("profile.json")))
    appview.get("/app.bsky.feed.getAuthorFeed").mock(return_value=body(fixture("author_feed_empty.json")))
    appview.get("/app.bsky.feed.getPosts").mock(return_value=body('{"posts": []}'))

    pull = bluesky.pull(JANE, None, known)

    assert [len(params(c)["uris"]) for c in calls_to(appview, "getPosts")] == [25, 5]
    assert sorted(i for page in pull.pages for i in page.gone_ids) == known


@pytest.mark.parametrize("how", ["notFoundPost", "400 NotFound"])
def test_a_thread_whose_post_was_deleted_reports_it_gone(appview, bluesky, how):
    not_found = json.loads(fixture("thread_not_found.json"))
    not_found["thread"]["uri"] = OPEN_HOUSE  # deleted between the feed read and the thread read
    serve_feed(appview, thread=json.dumps(not_found))
    if how == "400 NotFound":
        appview.get("/app.bsky.feed.getPostThread").mock(return_value=body(fixture("error_not_found.json"), 400))

    pull = bluesky.pull(JANE, None)

    assert pull.pages[-1].gone_ids == [OPEN_HOUSE] and pull.pages[-1].posts == []
    assert pull.pages[-1].source is pull.bodies[-1]


def test_the_recorded_thread_is_read_through_the_connector(appview, bluesky):
    if not RECORDED.is_file():
        pytest.skip(f"recorded payload not found at {RECORDED} (checkout of ../shared missing)")
    recorded = RECORDED.read_text(encoding="utf-8")
    marshal = AccountRef("bluesky", "test.marshal.dev")
    root = json.loads(recorded)["thread"]["post"]
    feed = {"feed": [{"post": {**root, "replyCount": 1}}]}
    profile = json.dumps({"did": root["author"]["did"], "handle": "test.marshal.dev", "description": ""})
    appview.get("/app.bsky.actor.getProfile").mock(return_value=body(profile))
    appview.get("/app.bsky.feed.getAuthorFeed").mock(return_value=body(json.dumps(feed)))
    appview.get("/app.bsky.feed.getPostThread").mock(return_value=body(recorded))

    pull = bluesky.pull(marshal, None)

    thread = pull.pages[-1]
    assert thread.source is not None and thread.source.body == recorded
    post, = thread.posts
    assert (post.kind, post.platform_id) == ("quote", root["uri"])
    assert post.parent_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"


def test_every_body_is_kept_as_served(appview, bluesky):
    serve_feed(appview)

    pull = bluesky.pull(JANE, None)

    served = [fixture(n) for n in ("profile.json", "author_feed_p1.json", "author_feed_p2.json",
                                   "thread_open_house.json")]
    assert [b.body for b in pull.bodies] == served
    assert pull.bodies[1].request.startswith(f"GET {APPVIEW}/app.bsky.feed.getAuthorFeed?actor=did%3Aplc%3A")
    assert [p.source for p in pull.pages] == pull.bodies[1:]


def test_429_is_rate_limited_until_ratelimit_reset_and_never_sleeps(appview, bluesky, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: pytest.fail(f"slept {s}s"))
    reset = datetime(2026, 11, 18, 16, 5, tzinfo=UTC)
    appview.get("/app.bsky.actor.getProfile").mock(return_value=body(
        fixture("error_rate_limited.json"), 429, **{"ratelimit-reset": str(int(reset.timestamp())),
                                                    "ratelimit-remaining": "0", "ratelimit-limit": "3000"}))

    with pytest.raises(RateLimited) as caught:
        bluesky.pull(JANE, None)

    assert caught.value.reset_at == reset and "reopens in 300 s" in str(caught.value)


def test_a_limit_hit_while_reading_threads_keeps_the_feed(appview, bluesky):
    serve_feed(appview)
    appview.get("/app.bsky.feed.getPostThread").mock(return_value=body(fixture("error_rate_limited.json"), 429))

    pull = bluesky.pull(JANE, None)

    assert len(pull.pages) == 3 and pull.pages[0].posts and "was skipped" in pull.pages[-1].errors[0]


def test_an_unknown_handle_is_not_found(appview, bluesky):
    appview.get("/app.bsky.actor.getProfile").mock(return_value=body(fixture("error_profile_not_found.json"), 400))

    with pytest.raises(NotFound, match="Profile not found"):
        bluesky.check(AccountRef("bluesky", "nobody.bsky.social"))


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_platform_errors(appview, bluesky, status):
    appview.get("/app.bsky.actor.getProfile").mock(return_value=httpx.Response(status, text="<html>down</html>"))

    with pytest.raises(PlatformError) as caught:
        bluesky.pull(JANE, None)

    assert caught.value.kind == "platform"


def test_a_timeout_is_unreachable(appview, bluesky):
    appview.get("/app.bsky.actor.getProfile").mock(side_effect=httpx.ConnectTimeout("timed out"))

    with pytest.raises(PlatformError) as caught:
        bluesky.pull(JANE, None)

    assert caught.value.kind == "unreachable"


def test_an_html_answer_is_malformed(appview, bluesky):
    appview.get("/app.bsky.actor.getProfile").mock(return_value=httpx.Response(200, text="<html>hi</html>"))

    with pytest.raises(MalformedBody):
        bluesky.pull(JANE, None)


def test_the_factory_needs_no_secret_and_reads_the_public_appview():
    connector = make_bluesky(None, {})  # type: ignore[arg-type]  # no setting is read

    assert connector.client._base_url == "https://public.api.bsky.app/xrpc"


def test_check_resolves_the_handle_to_its_did(appview, bluesky):
    serve_feed(appview)
    bluesky.pull(JANE, None)  # a previous pull's bodies must not answer for this check
    appview.get("/app.bsky.actor.getProfile").mock(return_value=body(json.dumps(
        {"did": "did:plc:otheraccount2222222222222", "handle": "other.bsky.social"})))

    assert bluesky.check(AccountRef("bluesky", "other.bsky.social")) == "did:plc:otheraccount2222222222222"
