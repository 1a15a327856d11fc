"""parse_x_page / x_profile against real recorded X API v2 bodies (read in place, offline)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor.records import AccountRef
from connectors.errors import AuthError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.x_parse import parse_x_page, x_profile

PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "payloads"
ACADEMIC = "twitter_v2_academictwitteR"
TWEEPY = "tweepy/decoded_bodies"

WAQAS = AccountRef("x", "waqasejazch", "2758518175")
WUNPINI = AccountRef("x", "wunpini_fm", "460255655")
ADIL = AccountRef("x", "adil_iis", "1145936974064177152")
TWITTER = AccountRef("x", "Twitter", "783214")


@pytest.fixture
def payload() -> Callable[[str], Any]:
    if not PAYLOADS.is_dir():
        pytest.skip(f"recorded payloads not found at {PAYLOADS} (checkout of ../shared missing)")

    def load(name: str) -> Any:
        return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))

    return load


def by_id(page) -> dict:
    return {p.platform_id: p for p in page.posts}


def test_timeline_keeps_own_posts_and_tweets_by_others_from_includes(payload):
    page = parse_x_page(payload(f"{ACADEMIC}/users__2758518175__tweets-d24b15.body.json"), WAQAS)
    posts = by_id(page)
    assert set(posts) == {"1399278878548533248", "1399026876010491906", "1399008231926779911"}
    own = posts["1399278878548533248"]
    assert (own.kind, own.author_id, own.author_handle) == ("post", "2758518175", "waqasejazch")
    assert own.created_at == datetime(2021, 5, 31, 8, 17, 36, tzinfo=UTC)
    assert own.url == "https://x.com/waqasejazch/status/1399278878548533248"
    assert own.conversation_id == "1399278878548533248" and own.parent_id is None
    reply = posts["1399026876010491906"]
    assert (reply.kind, reply.parent_id) == ("reply", "1399008231926779911")
    assert reply.conversation_id == "1398982506456756231"
    other = posts["1399008231926779911"]  # only in includes.tweets: the tweet being replied to
    assert (other.author_id, other.author_handle) == ("28244683", "keristephens")
    assert other.author_name == "Keri K. Stephens"
    assert (other.kind, other.parent_id) == ("reply", "1398982513977180169")
    assert other.conversation_id == "1398982506456756231"
    assert other.url == "https://x.com/keristephens/status/1399008231926779911"
    assert page.account_id == "2758518175" and page.newest_id == "1399278878548533248"
    assert page.next_cursor is None and page.errors == []


def test_feed_account_id_is_resolved_from_handle_case_insensitively(payload):
    body = payload(f"{ACADEMIC}/users__2758518175__tweets-d24b15.body.json")
    page = parse_x_page(body, AccountRef("x", "@WaqasEjazCH"))
    assert page.account_id == "2758518175"
    assert by_id(page)["1399278878548533248"].kind == "post"
    assert by_id(page)["1399008231926779911"].kind == "reply"


def test_mentions_by_others_are_comments_or_quotes_never_the_accounts_posts(payload):
    body = payload(f"{ACADEMIC}/users__1145936974064177152__mentions-d24b15.body.json")
    page = parse_x_page(body, ADIL)
    posts = by_id(page)
    assert all(p.author_id != ADIL.platform_id for p in page.posts)
    assert {p.kind for p in page.posts} == {"comment", "quote"}
    plain = posts["1400118288307277824"]
    assert (plain.kind, plain.author_handle, plain.parent_id) == ("comment", "FOBLeh", None)
    quote = posts["1399688059608702976"]
    assert (quote.kind, quote.parent_id) == ("quote", "1399686685848346642")


def test_replies_by_others_are_kept_as_replies_with_their_parent(payload):
    page = parse_x_page(payload(f"{ACADEMIC}/users__460255655__tweets-d24b15.body.json"), WUNPINI)
    reply = by_id(page)["1400141447316320259"]
    assert reply.author_id == "1286264197563719680" and reply.author_id != WUNPINI.platform_id
    assert (reply.kind, reply.parent_id) == ("reply", "1400140456332349440")


def test_a_quote_that_also_replies_is_a_reply_to_the_replied_tweet(payload):
    page = parse_x_page(payload(f"{ACADEMIC}/users__460255655__tweets-d24b15.body.json"), WUNPINI)
    post = by_id(page)["1400123465240285185"]
    assert {r["type"] for r in post.raw["referenced_tweets"]} == {"quoted", "replied_to"}
    assert (post.kind, post.parent_id) == ("reply", "1400112051494731779")


def test_retweets_are_reposts_pointing_at_the_original(payload):
    body = payload(f"{ACADEMIC}/users__956624418__tweets-d24b15.body.json")
    posts = by_id(parse_x_page(body, AccountRef("x", "OrgComInTheNews", "956624418")))
    rt = posts["1400103340495810561"]
    assert (rt.kind, rt.parent_id, rt.author_id) == ("repost", "1399780280710221834", "956624418")
    assert posts["1399780280710221834"].author_handle == "NatComm"


def test_pagination_cursor_is_next_token_and_page_one_reports_partial_errors(payload):
    first = payload(f"{ACADEMIC}/users__460255655__tweets-d24b15.body.json")
    page1 = parse_x_page(first, WUNPINI)
    assert page1.next_cursor == "7140dibdnow9c7btw3w4sp4d62kxfjas0dxxpk3q5wmr9"
    assert page1.newest_id == "1400188008909922306"
    assert len(page1.errors) == len(first["errors"]) == 7
    assert page1.errors[0].startswith("Authorization Error: Sorry, you are not authorized")
    meta2 = payload(f"{ACADEMIC}/users__460255655__tweets-87f62e.meta.json")
    assert f"pagination_token={page1.next_cursor}" in meta2["request_url"]
    second = payload(f"{ACADEMIC}/users__460255655__tweets-87f62e.body.json")
    page2 = parse_x_page(second, WUNPINI)
    assert page2.next_cursor == "7140dibdnow9c7btw3w4sp2kq4wpgzoib1w43dhc456pe"
    assert page2.errors == []
    timeline2 = [by_id(page2)[t["id"]] for t in second["data"]]
    assert len(timeline2) == 99 and all(p.author_id == "460255655" for p in timeline2)


def test_a_tweet_in_both_data_and_includes_appears_once_from_data(payload):
    body = payload(f"{ACADEMIC}/tweets__search__all-0336e6.body.json")
    page = parse_x_page(body, AccountRef("x", "someone"), assume_feed_author=False)
    ids = [p.platform_id for p in page.posts]
    assert ids.count("1403079602222862336") == 1 and len(ids) == len(set(ids))
    from_data = next(t for t in body["data"] if t["id"] == "1403079602222862336")
    assert by_id(page)["1403079602222862336"].raw is from_data


def test_text_is_what_a_reader_sees_and_the_raw_tweet_is_kept_as_sent(payload):
    body = payload(f"{ACADEMIC}/tweets__search__all-0336e6.body.json")
    post = by_id(parse_x_page(body, AccountRef("x", "someone")))["1403253091995197442"]
    assert post.text.startswith("Wissenschaftler & Studierende")
    assert post.raw["text"].startswith("Wissenschaftler &amp; Studierende")
    assert post.text == post.raw["text"].replace("&amp;", "&")


def test_html_entities_are_decoded_once_in_tweet_and_long_tweet_text():
    body = {"data": [
        {"id": "1", "author_id": "9", "text": "Fees &lt; $5 &amp; parking &gt; 2h; typed: &amp;lt;"},
        {"id": "2", "author_id": "9", "text": "short &amp;", "note_tweet": {"text": "long &amp; &quot;kept&quot;"}},
    ], "includes": {"users": [{"id": "9", "username": "jane"}]}}
    posts = by_id(parse_x_page(body, AccountRef("x", "jane", "9")))
    assert posts["1"].text == "Fees < $5 & parking > 2h; typed: &lt;"
    assert posts["2"].text == 'long & &quot;kept&quot;'  # X escapes only &, < and >
    assert posts["1"].raw["text"] == "Fees &lt; $5 &amp; parking &gt; 2h; typed: &amp;lt;"


def test_unknown_user_errors_only_body_raises_not_found(payload):
    body = payload(f"{ACADEMIC}/users__1405327120163872777__tweets-d24b15.body.json")
    with pytest.raises(NotFound) as err:
        parse_x_page(body, AccountRef("x", "gone", "1405327120163872777"))
    assert (err.value.platform, err.value.account, err.value.kind) == ("x", "gone", "not-found")
    assert "Could not find user with id" in str(err.value)


def test_suspended_user_mentions_raise_not_found(payload):
    body = payload(f"{ACADEMIC}/users__45648666__mentions-d24b15.body.json")
    with pytest.raises(NotFound, match="suspended"):
        parse_x_page(body, AccountRef("x", "suspended", "45648666"))


def test_unauthorized_problem_body_raises_auth_error(payload):
    body = payload(f"{ACADEMIC}/tweets__search__all-90b063.body.json")
    with pytest.raises(AuthError) as err:
        parse_x_page(body, WAQAS)
    assert err.value.kind == "auth" and "Renew the access token" in str(err.value)


def test_invalid_request_problem_body_raises_platform_error(payload):
    body = payload(f"{ACADEMIC}/tweets__search__all-92adbd.body.json")
    with pytest.raises(PlatformError) as err:
        parse_x_page(body, WAQAS)
    assert err.value.kind == "invalid-request"


@pytest.mark.parametrize("body", [
    {"title": "Too Many Requests", "type": "about:blank", "status": 429,
     "detail": "Too Many Requests"},
    {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
])
def test_both_documented_429_bodies_raise_rate_limited(body):
    with pytest.raises(RateLimited) as err:
        parse_x_page(body, WAQAS)
    assert err.value.reset_at is None and err.value.kind == "rate-limited"


def test_default_field_timeline_is_the_accounts_with_time_from_the_snowflake(payload):
    body = payload(f"{TWEEPY}/test_client_get_users_tweets.0.GET.json")
    page = parse_x_page(body, TWITTER)
    post = by_id(page)["1577730467436138524"]
    assert (post.author_id, post.author_handle, post.kind) == ("783214", "Twitter", "post")
    # (1577730467436138524 >> 22) + 1288834974657 = 1664995230908 ms
    assert post.created_at == datetime(2022, 10, 5, 18, 40, 30, 908000, tzinfo=UTC)
    assert post.url == "https://x.com/Twitter/status/1577730467436138524"
    assert page.next_cursor == "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex"


def test_snowflake_time_agrees_with_a_recorded_created_at(payload):
    body = payload(f"{ACADEMIC}/users__2758518175__tweets-d24b15.body.json")
    stripped = copy.deepcopy(body)
    for tweet in stripped["data"]:
        del tweet["created_at"]
    for tweet in body["data"]:
        derived = by_id(parse_x_page(stripped, WAQAS))[tweet["id"]].created_at
        recorded = datetime.fromisoformat(tweet["created_at"])
        assert timedelta(0) <= derived - recorded < timedelta(seconds=1)


def test_default_field_mentions_are_not_attributed_to_the_account_when_told(payload):
    body = payload(f"{TWEEPY}/test_client_get_users_mentions.0.GET.json")
    page = parse_x_page(body, TWITTER, assume_feed_author=False)
    assert page.posts and all(p.author_id is None and p.kind == "comment" for p in page.posts)
    first = page.posts[0]
    assert first.url == f"https://x.com/i/web/status/{first.platform_id}"


def test_single_tweet_lookup_object_is_one_post(payload):
    page = parse_x_page(payload(f"{TWEEPY}/test_client_get_tweet.0.GET.json"), TWITTER)
    assert [p.platform_id for p in page.posts] == ["1293593516040269825"]


def test_lookup_with_every_tweet_gone_is_an_empty_page_listing_them(payload):
    page = parse_x_page(payload(f"{ACADEMIC}/tweets-0b8bd2.body.json"), WAQAS)
    assert page.posts == [] and len(page.errors) == 15
    assert page.errors[0] == "Not Found Error: Could not find tweet with ids: [1]."


def test_lookup_with_some_tweets_gone_keeps_the_found_ones(payload):
    page = parse_x_page(payload(f"{ACADEMIC}/tweets-da6002.body.json"), AccountRef("x", "jack"))
    assert [p.platform_id for p in page.posts] == ["20"]
    assert page.posts[0].kind == "post" and len(page.errors) == 19


def test_last_page_with_zero_results_is_empty(payload):
    body = payload(f"{ACADEMIC}/tweets__1423714771384340481__retweeted_by-5c19db.body.json")
    page = parse_x_page(body, WAQAS)
    assert page.posts == [] and page.next_cursor is None


@pytest.mark.parametrize("body", [[], "data", {"data": "x"}, {"meta": {"result_count": 3}}, {}])
def test_bodies_of_the_wrong_shape_are_malformed(body):
    with pytest.raises(MalformedBody):
        parse_x_page(body, WAQAS)


def test_a_user_list_is_not_mistaken_for_tweets(payload):
    body = payload(f"{ACADEMIC}/tweets__1423714771384340481__retweeted_by-ac156a.body.json")
    with pytest.raises(MalformedBody):
        parse_x_page(body, WAQAS)


def test_long_posts_use_note_tweet_text():
    long_text = "A long post. " * 40
    body = {
        "data": [{
            "id": "1712345678901234567", "author_id": "2758518175",
            "created_at": "2023-10-12T09:00:00.000Z",
            "edit_history_tweet_ids": ["1712345678901234567"],
            "text": long_text[:270] + "… https://t.co/abc",
            "note_tweet": {"text": long_text, "entities": {"hashtags": []}},
        }],
        "meta": {"result_count": 1, "newest_id": "1712345678901234567"},
    }
    post = parse_x_page(body, WAQAS).posts[0]
    assert post.text == long_text and post.raw["text"].endswith("https://t.co/abc")


def test_profile_is_the_feed_accounts_includes_entry(payload):
    body = payload(f"{ACADEMIC}/users__2758518175__tweets-d24b15.body.json")
    profile = x_profile(body, AccountRef("x", "WAQASEJAZCH"))
    assert profile is not None and profile["description"].startswith("Asst. Prof at S3H")
    assert x_profile(payload(f"{TWEEPY}/test_client_get_users_tweets.0.GET.json"), TWITTER) is None


def test_a_lookup_that_cannot_find_archived_tweets_lists_them_as_gone(payload):
    page = parse_x_page(payload(f"{ACADEMIC}/tweets-0b8bd2.body.json"), AccountRef("x", "someone", "1"))
    assert page.posts == [] and page.gone_ids[:3] == ["1", "2", "3"]


def test_scrubbing_removes_tokens_but_keeps_the_words_around_them():
    from connectors.errors import scrub

    assert scrub("the bearer token was rejected") == "the bearer token was rejected"
    assert "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA" not in scrub("Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2B")
    assert scrub("/v23.0/x?access_token=EAAB123&after=abc") == "/v23.0/x?access_token=[redacted]&after=abc"
