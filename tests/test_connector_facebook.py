"""The live Facebook connector with HTTP faked at the requests transport (`responses`): pages
written in Graph's documented format (tests/fixtures/facebook), and real recorded pyfacebook
bodies read in place from ../shared."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import facebook
import pytest
import requests
import responses
from responses import matchers

from auditor.archive.store import Store
from auditor.config.settings import Settings, load_settings
from auditor.records import AccountRef
from connectors.errors import AuthError, MalformedBody, PlatformError, RateLimited
from connectors.facebook import POST_FIELDS, FacebookConnector, make_facebook

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "payloads" / "facebook" / "pyfacebook"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "facebook"
GRAPH = "https://graph.facebook.com/v23.0"
TOKEN = "EAAGsecretPageTokenValue"
OTHER = "EAAGotherPageTokenValue"
ENV = {"FACEBOOK_TOKEN": TOKEN, "OTHER_PAGE_TOKEN": OTHER}
CLLR = AccountRef("facebook", "cllr.example", "1234567890")
POSTS = f"{GRAPH}/1234567890/posts"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def recorded() -> Callable[[str], str]:
    if not PAYLOADS.is_dir():
        pytest.skip(f"recorded payloads not found at {PAYLOADS} (checkout of ../shared missing)")
    return lambda name: (PAYLOADS / name).read_text(encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "auditor.yaml"
    path.write_text(
        "council: {name: Test council}\n"
        f"policy: {ROOT / 'config' / 'policy.yaml'}\n"
        "councillors:\n"
        "  - name: Example\n"
        "    accounts:\n"
        "      - {platform: facebook, handle: cllr.example, id: '1234567890'}\n"
        "      - {platform: facebook, handle: other.page, id: '999', token_env: OTHER_PAGE_TOKEN}\n"
        "platforms: {facebook: {graph_version: v23.0}}\n",
        encoding="utf-8",
    )
    return load_settings(path)


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fb(settings: Settings) -> FacebookConnector:
    return make_facebook(settings, ENV)


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query, keep_blank_values=True)


def add_json(http: responses.RequestsMock, url: str, body: str, status: int = 200, **kwargs: Any) -> None:
    http.add(responses.GET, url, body=body, status=status, content_type="application/json", **kwargs)


def after(cursor: str) -> Any:
    return matchers.query_param_matcher({"after": cursor}, strict_match=False)


def two_pages(http: responses.RequestsMock) -> None:
    add_json(http, POSTS, fixture("posts_p2.json"), match=[after("QVFIUkVn")])
    add_json(http, POSTS, fixture("posts_p1.json"))


def test_paging_next_without_an_access_token_is_followed_with_ours(http, fb):
    two_pages(http)

    pull = fb.pull(CLLR, None)

    first, second = http.calls
    assert query(first)["fields"] == [POST_FIELDS] and query(first)["limit"] == ["100"]
    assert query(first)["access_token"] == [TOKEN] and "since" not in query(first)
    assert query(second)["after"] == ["QVFIUkVn"] and query(second)["access_token"] == [TOKEN]
    assert [p.platform_id for p in pull.pages[0].posts] == [
        "1234567890_6666666666", "6666666666_7777777777", "6666666666_8888888888", "1234567890_1111111111"]
    assert [p.kind for p in pull.pages[1].posts] == ["repost"]
    assert pull.requests == 2 and pull.profile is None


def test_the_sdks_own_paginator_would_crash_on_these_pages(http):
    """Why the connector follows `paging.next` itself: facebook-sdk 3.1.0 deletes a token the URL lacks."""
    two_pages(http)
    graph = facebook.GraphAPI(access_token=TOKEN)
    graph.version = "v23.0"

    with pytest.raises(KeyError, match="access_token"):
        list(graph.get_all_connections("1234567890", "posts"))


def test_requests_go_to_the_configured_graph_version(http, fb):
    add_json(http, POSTS, fixture("posts_empty.json"))

    fb.pull(CLLR, None)

    assert http.calls[0].request.url.startswith("https://graph.facebook.com/v23.0/1234567890/posts?")
    assert fb.graph.version == "v23.0"


def test_each_page_cursor_is_its_newest_post_time_in_utc(http, fb):
    two_pages(http)

    pages = fb.pull(CLLR, None).pages

    # Comments (09:30, 09:45) are newer, but `since` filters posts, so only posts set the cursor.
    assert [p.newest_id for p in pages] == ["2024-03-05T09:00:00+00:00", "2024-03-03T09:00:00+00:00"]


def test_second_cycle_sends_since_from_the_stored_cursor_and_reads_no_old_posts(http, fb, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("facebook", "cllr.example", "1234567890", "representative", "Example")])
    since = int(datetime(2024, 3, 5, 9, 0, tzinfo=UTC).timestamp())
    add_json(http, POSTS, fixture("posts_empty.json"),
             match=[matchers.query_param_matcher({"since": str(since)}, strict_match=False)])
    two_pages(http)

    first = fb.pull(CLLR, None)
    store.ingest("facebook", "cllr.example", first.pages, datetime(2024, 3, 6, tzinfo=UTC), "live")
    cursor = store.accounts()[0].cursor
    second = fb.pull(CLLR, cursor)
    store.ingest("facebook", "cllr.example", second.pages, datetime(2024, 3, 7, tzinfo=UTC), "live")

    assert cursor == "2024-03-05T09:00:00+00:00"  # the newest page's time won the text comparison
    assert query(http.calls[-1])["since"] == [str(since)]
    assert second.pages[0].posts == [] and second.requests == 1
    assert store.accounts()[0].cursor == cursor  # an empty page leaves the cursor alone
    store.close()


def test_recorded_next_urls_get_our_token_instead_of_the_echoed_one(http, fb, recorded):
    zuck = AccountRef("facebook", "zuck", "4")
    p1 = recorded("posts__feed_fields_p1.json")
    next_url = json.loads(p1)["paging"]["next"]
    http.add(responses.GET, next_url.split("?")[0], body=recorded("posts__feed_fields_p2.json"),
             content_type="application/json")
    add_json(http, f"{GRAPH}/4/posts", p1)

    pull = fb.pull(zuck, None)

    followed = query(http.calls[1])
    assert followed["access_token"] == [TOKEN]  # one token, ours; not the recording's placeholder
    assert followed["__paging_token"] == ["__paging_token"] and followed["until"] == ["1624385168"]
    assert len(pull.pages) == 2 and all(p.posts for p in pull.pages)


def test_a_next_url_off_graph_is_not_sent_the_token(http, fb):
    body = json.loads(fixture("posts_p1.json"))
    body["paging"]["next"] = "https://evil.example/v23.0/1234567890/posts?after=x"
    add_json(http, POSTS, json.dumps(body))

    with pytest.raises(MalformedBody, match="outside the Graph API"):
        fb.pull(CLLR, None)

    assert len(http.calls) == 1


def test_max_pages_bounds_the_read(http, settings):
    two_pages(http)
    fb = make_facebook(settings, ENV)
    fb.max_pages = 1

    assert len(fb.pull(CLLR, None).pages) == 1 and len(http.calls) == 1


@pytest.mark.parametrize("where", ["first page", "followed page"])
def test_throttling_as_http_400_code_32_is_rate_limited(http, fb, where):
    throttled = fixture("error_page_request_limit.json")
    if where == "first page":
        add_json(http, POSTS, throttled, status=400)
    else:
        add_json(http, POSTS, throttled, status=400, match=[after("QVFIUkVn")])
        add_json(http, POSTS, fixture("posts_p1.json"))

    with pytest.raises(RateLimited) as caught:
        fb.pull(CLLR, None)

    assert caught.value.kind == "rate-limited" and "(#32) Page request limit reached" in str(caught.value)


def test_expired_token_code_190_is_an_auth_error_naming_the_env_var_not_the_token(http, fb):
    add_json(http, POSTS, fixture("error_token_expired.json"), status=400)

    with pytest.raises(AuthError) as caught:
        fb.pull(CLLR, None)

    message = str(caught.value)
    assert "FACEBOOK_TOKEN" in message and "pages_read_engagement" in message and TOKEN not in message


def test_graph_5xx_with_a_json_error_is_a_platform_error(http, fb):
    body = {"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1}}
    add_json(http, POSTS, json.dumps(body), status=500)

    with pytest.raises(PlatformError):
        fb.pull(CLLR, None)


@pytest.mark.parametrize("where", ["first page", "followed page"])
def test_graph_5xx_with_an_html_page_is_a_platform_error_not_a_malformed_body(http, fb, where):
    html = {"body": "<html><h1>502 Bad Gateway</h1></html>", "status": 502, "content_type": "text/html"}
    if where == "first page":
        http.add(responses.GET, POSTS, **html)
    else:
        http.add(responses.GET, POSTS, match=[after("QVFIUkVn")], **html)
        add_json(http, POSTS, fixture("posts_p1.json"))

    with pytest.raises(PlatformError, match="HTTP 502") as caught:
        fb.pull(CLLR, None)

    assert type(caught.value) is PlatformError


def test_a_timeout_is_an_unreachable_platform_error_without_the_token(http, fb):
    leaky = requests.exceptions.ConnectTimeout(f"Max retries exceeded with url: /v23.0/1/posts?access_token={TOKEN}")
    http.add(responses.GET, POSTS, body=leaky)

    with pytest.raises(PlatformError) as caught:
        fb.pull(CLLR, None)

    assert caught.value.kind == "unreachable" and TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
def test_an_html_body_is_malformed(http, fb, content_type):
    http.add(responses.GET, POSTS, body="<!DOCTYPE html><p>Sorry, something went wrong.</p>",
             content_type=content_type)

    with pytest.raises(MalformedBody):
        fb.pull(CLLR, None)


def test_an_unknown_page_id_is_resolved_from_the_handle_with_its_about_text(http, fb):
    page = {"id": "1234567890", "name": "Cllr Example", "about": "Councillor, Ward 3."}
    add_json(http, f"{GRAPH}/cllr.example", json.dumps(page),
             match=[matchers.query_param_matcher({"fields": "id,name,about"}, strict_match=False)])
    add_json(http, POSTS, fixture("posts_empty.json"))

    pull = fb.pull(AccountRef("facebook", "cllr.example"), None)

    assert pull.profile == "Councillor, Ward 3." and pull.requests == 2
    assert urlsplit(http.calls[1].request.url).path == "/v23.0/1234567890/posts"


def test_an_account_with_its_own_token_env_uses_that_token(http, fb):
    add_json(http, f"{GRAPH}/999/posts", fixture("posts_empty.json"))

    fb.pull(AccountRef("facebook", "other.page", "999"), None)

    assert query(http.calls[0])["access_token"] == [OTHER]


def test_an_accounts_own_token_env_unset_fails_that_account_only(http, settings):
    fb = make_facebook(settings, {"FACEBOOK_TOKEN": TOKEN})
    add_json(http, POSTS, fixture("posts_empty.json"))

    with pytest.raises(AuthError, match="OTHER_PAGE_TOKEN is not set"):
        fb.pull(AccountRef("facebook", "other.page", "999"), None)
    fb.pull(CLLR, None)  # the others still read with the platform token


def test_missing_token_fails_in_the_factory_naming_the_env_var_and_access(settings):
    with pytest.raises(AuthError) as caught:
        make_facebook(settings, {})

    message = str(caught.value)
    assert caught.value.account == "*" and "FACEBOOK_TOKEN is not set" in message
    assert "Page access token with pages_read_engagement and pages_read_user_content" in message


def test_every_body_is_kept_and_an_echoed_token_is_redacted(http, fb):
    page = json.loads(fixture("posts_p1.json"))
    page["paging"]["next"] = f"{POSTS}?access_token={TOKEN}&limit=2&after=QVFIUkVn"  # Graph echoes the token
    served = json.dumps(page)
    add_json(http, POSTS, fixture("posts_p2.json"), match=[after("QVFIUkVn")])
    add_json(http, POSTS, served)

    pull = fb.pull(CLLR, None)

    first, second = pull.bodies
    assert first.body == served.replace(TOKEN, "[redacted]") and second.body == fixture("posts_p2.json")
    assert TOKEN not in first.body + first.request + second.body + second.request
    assert "access_token" not in first.request and first.request.startswith(f"GET {POSTS}?")
    assert [p.source for p in pull.pages] == [first, second] and pull.requests == 2


def test_archived_ids_missing_from_the_multi_id_lookup_are_gone(http, fb):
    add_json(http, POSTS, fixture("posts_empty.json"))
    add_json(http, f"{GRAPH}/", json.dumps({"1234567890_6666666666": {"id": "1234567890_6666666666"}}))

    pull = fb.pull(CLLR, None, ["1234567890_6666666666", "1234567890_1111111111", "synthetic_ab12"])

    lookup = query(http.calls[1])
    assert lookup["ids"] == ["1234567890_6666666666,1234567890_1111111111"] and lookup["fields"] == ["id"]
    assert pull.pages[-1].gone_ids == ["1234567890_1111111111"] and pull.pages[-1].source is pull.bodies[-1]


@pytest.mark.parametrize("error", [
    {"message": "Unsupported get request. Object with ID '1234567890_1111111111' does not exist, cannot be loaded "
                "due to missing permissions, or does not support this operation.", "type": "GraphMethodException",
     "code": 100, "error_subcode": 33, "fbtrace_id": "A1b2C3"},
    {"message": "(#803) Some of the aliases you requested do not exist: 1234567890_1111111111",
     "type": "OAuthException", "code": 803, "fbtrace_id": "A1b2C3"},
])
def test_a_lookup_failing_for_one_missing_id_is_asked_again_one_by_one(http, fb, error):
    missing = json.dumps({"error": error})
    add_json(http, POSTS, fixture("posts_empty.json"))
    add_json(http, f"{GRAPH}/", missing, status=400)
    add_json(http, f"{GRAPH}/1234567890_6666666666", json.dumps({"id": "1234567890_6666666666"}))
    add_json(http, f"{GRAPH}/1234567890_1111111111", missing, status=400)

    pull = fb.pull(CLLR, None, ["1234567890_6666666666", "1234567890_1111111111"])

    assert pull.pages[-1].gone_ids == ["1234567890_1111111111"]
    assert [urlsplit(c.request.url).path for c in http.calls][2:] == ["/v23.0/1234567890_6666666666",
                                                                      "/v23.0/1234567890_1111111111"]


def test_ids_are_looked_up_50_at_a_time(http, fb):
    add_json(http, POSTS, fixture("posts_empty.json"))
    add_json(http, f"{GRAPH}/", "{}")
    known = [f"1234567890_{n:010d}" for n in range(60)]

    pull = fb.pull(CLLR, None, known)

    assert [len(query(c)["ids"][0].split(",")) for c in http.calls[1:]] == [50, 10]
    assert [i for page in pull.pages for i in page.gone_ids] == known


def test_throttling_on_the_deletion_check_keeps_the_posts(http, fb):
    add_json(http, POSTS, fixture("posts_p2.json"))
    add_json(http, f"{GRAPH}/", fixture("error_page_request_limit.json"), status=400)

    pull = fb.pull(CLLR, None, ["1234567890_1111111111"])

    assert pull.pages[0].posts and "deletion check was skipped" in pull.pages[-1].errors[0]
    assert "(#32) Page request limit reached" in pull.pages[-1].errors[0]
