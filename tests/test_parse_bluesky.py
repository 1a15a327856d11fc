"""Bluesky AppView bodies -> posts (pure): the real getPostThread recording from MarshalX/atproto
read in place from ../shared, bodies written from the lexicon in tests/fixtures/bluesky (checked
here against the SDK's own models), and the replay layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from atproto import models
from atproto_client.models.utils import get_or_create

from auditor.records import AccountRef
from connectors.bluesky_parse import bluesky_profile, feed_times, is_post_uri, parse_bluesky_page
from connectors.errors import MalformedBody, NotFound
from connectors.replay import ReplayConnector

RECORDED = (Path(__file__).resolve().parents[2] / "shared" / "payloads" / "bluesky" / "MarshalX_atproto"
            / "thread_view_post_with_embed_media.json")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bluesky"
JANE_DID = "did:plc:jd3leducwardthreecouncil"
JANE = AccountRef("bluesky", "janedoe.bsky.social")
CITY_POST = "at://did:plc:cityofleducofficial22222/app.bsky.feed.post/3lbcityboil22a"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "model"), [
    ("profile.json", models.AppBskyActorDefs.ProfileViewDetailed),
    ("author_feed_p1.json", models.AppBskyFeedGetAuthorFeed.Response),
    ("author_feed_p2.json", models.AppBskyFeedGetAuthorFeed.Response),
    ("thread_open_house.json", models.AppBskyFeedGetPostThread.Response),
    ("thread_not_found.json", models.AppBskyFeedGetPostThread.Response),
    ("get_posts.json", models.AppBskyFeedGetPosts.Response),
])
def test_the_written_fixtures_are_valid_lexicon_bodies(name, model):
    get_or_create(fixture(name), model, strict=True, strict_string_format=True)


def test_the_recorded_thread_is_a_quote_post_with_its_link():
    if not RECORDED.is_file():
        pytest.skip(f"recorded payload not found at {RECORDED} (checkout of ../shared missing)")
    body = json.loads(RECORDED.read_text(encoding="utf-8"))

    page = parse_bluesky_page(body, AccountRef("bluesky", "test.marshal.dev"))

    post, = page.posts
    assert post.platform_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert post.kind == "quote"  # recordWithMedia embeds a record: a quote with an image
    assert post.parent_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"
    assert post.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert post.text == "" and post.created_at.isoformat() == "2023-09-28T12:49:36.735000+00:00"
    assert page.account_id == "did:plc:kvwvcn5iqfooopmyzvb4qzba" and page.gone_ids == []


def test_the_author_feed_keeps_reposts_replies_parents_and_quotes():
    page = parse_bluesky_page(fixture("author_feed_p1.json"), JANE)

    posts = {p.platform_id: p for p in page.posts}
    repost = posts[f"at://{JANE_DID}/app.bsky.feed.repost/3lbrepostcity2"]
    assert (repost.kind, repost.parent_id, repost.author_handle) == ("repost", CITY_POST, "janedoe.bsky.social")
    assert repost.created_at.isoformat() == "2026-11-18T15:00:00+00:00"  # when it was reposted
    assert posts[CITY_POST].author_id == "did:plc:cityofleducofficial22222" and posts[CITY_POST].kind == "post"
    mark = posts["at://did:plc:residentmarkpaquette7777/app.bsky.feed.post/3lbmarkreply2a"]
    assert mark.kind == "reply" and mark.author_handle == "markp.bsky.social"  # from feed[].reply.parent
    quote = posts[f"at://{JANE_DID}/app.bsky.feed.post/3lbquotecity2a"]
    assert (quote.kind, quote.parent_id) == ("quote", CITY_POST)
    assert page.account_id == JANE_DID and page.next_cursor == "2026-11-16T18:00:00.000Z"


def test_a_pinned_post_is_kept_but_never_the_newest():
    body = fixture("author_feed_p1.json")

    page = parse_bluesky_page(body, JANE)

    assert f"at://{JANE_DID}/app.bsky.feed.post/3l5pinnedpost2" in {p.platform_id for p in page.posts}
    assert page.newest_id == "2026-11-18T15:00:00+00:00"
    assert min(feed_times(body)).isoformat() == "2026-11-16T18:00:00+00:00"  # the pin (September) left out


def test_the_sort_time_is_the_earlier_of_created_and_indexed():
    body = {"feed": [fixture("author_feed_p2.json")["feed"][0]]}
    body["feed"][0]["post"]["record"]["createdAt"] = "2030-01-01T00:00:00Z"  # a client's future date

    assert parse_bluesky_page(body, JANE).newest_id == "2026-11-01T13:00:00+00:00"


def test_a_thread_gives_every_reply_and_reports_deleted_ones():
    page = parse_bluesky_page(fixture("thread_open_house.json"), JANE)

    assert [p.author_handle for p in page.posts] == ["janedoe.bsky.social", "markp.bsky.social",
                                                     "janedoe.bsky.social", "sallyo.bsky.social"]
    assert page.gone_ids == ["at://did:plc:residentsallyokafor22222/app.bsky.feed.post/3lbsallygone22"]
    assert page.newest_id is None  # replies never move the cursor


def test_a_not_found_thread_is_a_gone_post():
    page = parse_bluesky_page(fixture("thread_not_found.json"), JANE)

    assert page.posts == [] and page.gone_ids == [f"at://{JANE_DID}/app.bsky.feed.post/3lbdeletedpost"]


def test_profile_and_errors():
    assert bluesky_profile(fixture("profile.json"), JANE) == "Councillor, Ward 3, City of Leduc. Views are my own."
    assert parse_bluesky_page(fixture("profile.json"), JANE).account_id == JANE_DID
    with pytest.raises(NotFound):
        parse_bluesky_page(fixture("error_not_found.json"), JANE)
    with pytest.raises(MalformedBody):
        parse_bluesky_page({"feed": [{"not": "a post"}]}, JANE)


@pytest.mark.parametrize(("uri", "ok"), [
    (f"at://{JANE_DID}/app.bsky.feed.post/3lbopenhouse2a", True),
    (f"at://{JANE_DID}/app.bsky.feed.repost/3lbrepostcity2", False),  # getPosts would call it deleted
    (f"at://{JANE_DID}/app.bsky.feed.post/3lbopenhouse2a#repost:did:plc:x", False),
    ("https://bsky.app/profile/x/post/1", False),
    (f"at://{JANE_DID}/app.bsky.feed.post/", False),
])
def test_only_post_record_uris_are_asked_about(uri, ok):
    assert is_post_uri(uri) is ok


def test_replay_reads_a_bluesky_folder(tmp_path):
    folder = tmp_path / "bluesky" / "janedoe.bsky.social"
    folder.mkdir(parents=True)
    for number, name in enumerate(["profile.json", "author_feed_p1.json", "thread_open_house.json"]):
        (folder / f"{number:03d}-{name}").write_bytes((FIXTURES / name).read_bytes())

    pull = ReplayConnector("bluesky", tmp_path).pull(JANE, None)

    assert pull.profile == "Councillor, Ward 3, City of Leduc. Views are my own."
    assert [len(p.posts) for p in pull.pages] == [0, 7, 4]  # the reply's root is the open house itself
    assert ReplayConnector("bluesky", tmp_path).check(JANE) == JANE_DID
