"""parse_facebook_page against real recorded Graph bodies (read in place, offline) and a
nested-comments fixture written in Graph's documented field-expansion format."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.records import AccountRef
from connectors.errors import AuthError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.facebook_parse import parse_facebook_page

PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "payloads"
GRAPH = "facebook/pyfacebook"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "facebook"

FB_DEV = AccountRef("facebook", "FacebookforDevelopers", "19292868552")
ZUCK = AccountRef("facebook", "zuck", "4")
CLLR = AccountRef("facebook", "cllr.example", "1234567890")
CREATED = "2024-01-02T03:04:05+0000"


@pytest.fixture
def payload() -> Callable[[str], Any]:
    if not PAYLOADS.is_dir():
        pytest.skip(f"recorded payloads not found at {PAYLOADS} (checkout of ../shared missing)")

    def load(name: str) -> Any:
        return json.loads((PAYLOADS / GRAPH / name).read_text(encoding="utf-8"))

    return load


def by_id(page) -> dict:
    return {p.platform_id: p for p in page.posts}


def test_page_feed_items_are_posts_with_permalinks_and_an_after_cursor(payload):
    body = payload("posts__feeds_default_fields_p1.json")
    page = parse_facebook_page(body, FB_DEV)
    assert [p.platform_id for p in page.posts] == [i["id"] for i in body["data"]]
    first = page.posts[0]
    assert first.url == "https://www.facebook.com/19292868552/posts/10158349356748553/"
    assert (first.kind, first.author_id, first.author_handle) == (
        "post", "19292868552", "FacebookforDevelopers")
    assert first.created_at == datetime(2021, 7, 9, 19, 9, 52, tzinfo=UTC)
    assert first.updated_at == datetime(2021, 7, 12, 1, 3, 23, tzinfo=UTC)
    assert first.text == body["data"][0]["message"] and first.conversation_id == first.platform_id
    assert page.next_cursor == "after"  # cursors are redacted to placeholders in the recording
    assert page.account_id == "19292868552"


def test_shared_stories_are_reposts(payload):
    posts = by_id(parse_facebook_page(payload("posts__feeds_default_fields_p1.json"), FB_DEV))
    assert posts["19292868552_10158347294088553"].kind == "repost"
    assert posts["19292868552_10158345715593553"].kind == "post"  # added_photos


def test_page_id_comes_from_post_ids_when_not_configured(payload):
    body = payload("posts__feed_fields_p1.json")
    page = parse_facebook_page(body, AccountRef("facebook", "zuck"))
    assert page.account_id == "4" and {p.author_id for p in page.posts} == {"4"}


def test_time_paging_cursor_is_the_next_url_without_the_token(payload):
    page1 = parse_facebook_page(payload("posts__feed_fields_p1.json"), ZUCK)
    assert page1.next_cursor is not None
    assert page1.next_cursor.startswith("https://graph.facebook.com/v10.0/4/posts?")
    assert "until=1624385168" in page1.next_cursor and "access_token" not in page1.next_cursor
    assert [p.kind for p in page1.posts] == ["post"] * 5


def test_last_time_paged_page_has_no_next_cursor(payload):
    page2 = parse_facebook_page(payload("posts__feed_fields_p2.json"), ZUCK)
    assert page2.next_cursor is None and len(page2.posts) == 5


def test_a_post_without_message_has_empty_text(payload):
    group = AccountRef("facebook", "devc-hk", "2260975870792283")
    posts = by_id(parse_facebook_page(payload("groups__feed_p1.json"), group))
    assert posts["2260975870792283_3038566336366562"].text == ""


def test_stream_comments_without_ids_get_graph_ids_and_replies_their_parent(payload):
    page = parse_facebook_page(payload("comments__comments_p1.json"), FB_DEV)
    posts = by_id(page)
    assert len(posts) == 10  # every item kept, none collapsed onto another id
    top = posts["10158407654328553_10158407835073553"]
    assert (top.kind, top.parent_id) == ("comment", "19292868552_10158407654328553")
    assert top.conversation_id == "19292868552_10158407654328553"
    reply = posts["10158407654328553_10158409983033553"]
    assert (reply.kind, reply.parent_id) == ("reply", "10158407654328553_10158407903973553")
    assert reply.conversation_id == "19292868552_10158407654328553"
    assert sum(p.kind == "reply" for p in page.posts) == 4
    assert all(p.author_id is None for p in page.posts)  # the recording has no `from`
    assert page.next_cursor == "after"


def test_comments_without_from_have_no_author_and_hang_off_the_object_id(payload):
    page = parse_facebook_page(payload("legacy__comments.json"), AccountRef("facebook", "fb"))
    first = page.posts[0]
    assert first.platform_id == "10158658755326729_10158658759266729"
    assert (first.kind, first.author_id, first.author_name) == ("comment", None, None)
    assert first.parent_id == first.conversation_id == "10158658755326729"
    assert first.text == "رائع"
    assert first.created_at == datetime(2019, 8, 9, 14, 2, 43, tzinfo=UTC)


def test_caller_supplied_object_id_becomes_the_parent_of_top_level_comments(payload):
    page = parse_facebook_page(payload("legacy__comments.json"), AccountRef("facebook", "fb"),
                               object_id="20531316728_10158658756111729")
    assert {p.parent_id for p in page.posts} == {"20531316728_10158658756111729"}


def test_comment_without_id_or_permalink_gets_a_stable_synthetic_id(payload):
    body = payload("comments__comments_p1.json")
    trimmed = copy.deepcopy(body)
    for item in trimmed["data"]:
        del item["permalink_url"]
    once = parse_facebook_page(trimmed, FB_DEV, object_id="19292868552_10158407654328553")
    again = parse_facebook_page(copy.deepcopy(trimmed), FB_DEV,
                                object_id="19292868552_10158407654328553")
    assert [p.platform_id for p in once.posts] == [p.platform_id for p in again.posts]
    assert all(p.platform_id.startswith("synthetic_") for p in once.posts)
    assert len({p.platform_id for p in once.posts}) == len(once.posts)
    trimmed["data"][0]["message"] += "!"
    edited = parse_facebook_page(trimmed, FB_DEV, object_id="19292868552_10158407654328553")
    assert edited.posts[0].platform_id != once.posts[0].platform_id


def test_nested_comments_and_replies_are_flattened_with_parents():
    body = json.loads((FIXTURES / "nested_comments.json").read_text(encoding="utf-8"))
    page = parse_facebook_page(body, CLLR)
    posts = by_id(page)
    assert list(posts) == ["1234567890_1111111111", "1111111111_2222222222",
                           "1111111111_3333333333", "1111111111_4444444444",
                           "1234567890_5555555555"]
    comment = posts["1111111111_2222222222"]
    assert (comment.kind, comment.parent_id) == ("comment", "1234567890_1111111111")
    assert (comment.author_id, comment.author_name) == ("5550001", "A Resident")
    assert comment.author_handle is None
    reply = posts["1111111111_3333333333"]
    assert (reply.kind, reply.parent_id) == ("reply", "1111111111_2222222222")
    assert (reply.author_id, reply.author_handle) == ("1234567890", "cllr.example")
    assert {p.conversation_id for p in page.posts[:4]} == {"1234567890_1111111111"}
    anonymous = posts["1111111111_4444444444"]
    assert anonymous.author_id is None and anonymous.text == "Thanks &amp; see you there"
    shared = posts["1234567890_5555555555"]
    assert (shared.kind, shared.text) == ("repost", "Cllr Example shared a link.")
    assert shared.url == "https://www.facebook.com/1234567890_5555555555"
    assert page.next_cursor == "QVFIUkVn"


def test_a_comment_carrying_parent_is_a_reply_to_it():
    body = {"data": [{"id": "111_222", "message": "agreed", "created_time": CREATED,
                      "parent": {"id": "111_200"}, "from": {"id": "9", "name": "R"}}]}
    post = parse_facebook_page(body, CLLR).posts[0]
    assert (post.kind, post.parent_id, post.author_id) == ("reply", "111_200", "9")


def test_ids_outside_the_page_mark_a_bare_list_as_comments():
    body = {"data": [{"id": "777_888", "message": "hi", "created_time": CREATED}]}
    assert parse_facebook_page(body, ZUCK).posts[0].kind == "comment"
    assert parse_facebook_page(body, ZUCK, kind_hint="posts").posts[0].kind == "post"


def test_kind_hint_overrides_the_shape_heuristic(payload):
    page = parse_facebook_page(payload("posts__feed_fields_p1.json"), ZUCK, kind_hint="comments")
    assert {p.kind for p in page.posts} == {"comment"}
    assert page.posts[0].parent_id == "4"


def test_public_content_access_error_is_an_auth_error_naming_the_permissions(payload):
    with pytest.raises(AuthError) as err:
        parse_facebook_page(payload("error.json"), FB_DEV)
    assert "pages_read_engagement" in str(err.value) and "pages_read_user_content" in str(err.value)
    assert (err.value.platform, err.value.account) == ("facebook", "FacebookforDevelopers")


def test_object_does_not_exist_error_is_not_found(payload):
    with pytest.raises(NotFound, match="does not exist"):
        parse_facebook_page(payload("base__error_data.json"), FB_DEV)


def test_page_request_limit_error_is_rate_limited():
    body = {"error": {"message": "(#32) Page request limit reached", "type": "OAuthException",
                      "code": 32, "fbtrace_id": "AbCdEfGh"}}
    with pytest.raises(RateLimited) as err:
        parse_facebook_page(body, FB_DEV)
    assert err.value.reset_at is None and err.value.kind == "rate-limited"


@pytest.mark.parametrize("code, subcode, expected", [
    (190, 463, AuthError), (10, None, AuthError), (230, None, AuthError),
    (100, 33, NotFound), (17, None, RateLimited), (2, None, PlatformError),
])
def test_graph_error_codes_map_to_typed_errors(code, subcode, expected):
    error = {"message": f"(#{code}) something", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    with pytest.raises(expected):
        parse_facebook_page({"error": error}, FB_DEV)


def test_error_messages_never_carry_a_token():
    body = {"error": {"message": "Bad request for /me?access_token=EAABsecret123&fields=id",
                      "type": "GraphMethodException", "code": 1}}
    with pytest.raises(PlatformError) as err:
        parse_facebook_page(body, FB_DEV)
    assert "EAABsecret123" not in str(err.value) and "access_token=[redacted]" in str(err.value)


@pytest.mark.parametrize("name", ["pages__single_default_page.json",
                                  "posts__multi_posts_data.json"])
def test_bodies_without_a_data_list_are_malformed(payload, name):
    with pytest.raises(MalformedBody):
        parse_facebook_page(payload(name), FB_DEV)


def test_non_object_body_is_malformed():
    with pytest.raises(MalformedBody):
        parse_facebook_page([{"id": "1_2"}], FB_DEV)
