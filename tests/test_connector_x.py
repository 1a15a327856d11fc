"""The live X connector against real recorded X API v2 bodies, with HTTP faked at the requests
transport (`responses`). tweepy's host is hard-coded, so the fakes answer api.twitter.com."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import time_machine
import tweepy
from responses import matchers

from auditor.archive.store import Store
from auditor.config.settings import Settings, load_settings
from auditor.records import AccountRef
from connectors.base import Pull
from connectors.errors import AuthError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.http import TimeoutSession
from connectors.x import EXPANSIONS, TWEET_FIELDS, XConnector, make_x

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "payloads" / "twitter_v2_academictwitteR"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "x"
API = "https://api.twitter.com/2"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAsecret-bearer-value"
ENV = {"X_BEARER_TOKEN": TOKEN}
WUNPINI = AccountRef("x", "wunpini_fm", "460255655")
PAGE1, PAGE2 = "users__460255655__tweets-d24b15.body.json", "users__460255655__tweets-87f62e.body.json"
NEXT_TOKEN = "7140dibdnow9c7btw3w4sp4d62kxfjas0dxxpk3q5wmr9"


@pytest.fixture
def recorded() -> Callable[[str], str]:
    """A recorded body's exact text, read in place from ../shared."""
    if not PAYLOADS.is_dir():
        pytest.skip(f"recorded payloads not found at {PAYLOADS} (checkout of ../shared missing)")
    return lambda name: (PAYLOADS / name).read_text(encoding="utf-8")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "auditor.yaml"
    path.write_text(
        "council: {name: Test council}\n"
        f"policy: {ROOT / 'config' / 'policy.yaml'}\n"
        "councillors:\n"
        "  - name: Wunpini\n"
        "    accounts: [{platform: x, handle: wunpini_fm}]\n",
        encoding="utf-8",
    )
    return load_settings(path)


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connector(settings: Settings) -> Callable[..., XConnector]:
    def build(max_pages: int = 5) -> XConnector:
        live = make_x(settings, ENV)
        return XConnector(live.client, max_pages=max_pages, token_env=live.token_env)

    return build


def user_body(recorded: Callable[[str], str]) -> str:
    """GET /2/users/:id as X answers it, built from the real user object in the recorded page."""
    users = json.loads(recorded(PAGE1))["includes"]["users"]
    return json.dumps({"data": next(u for u in users if u["id"] == WUNPINI.platform_id)})


def query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def calls_to(http: responses.RequestsMock, suffix: str) -> list[Any]:
    return [c for c in http.calls if urlsplit(c.request.url).path.endswith(suffix)]


def add_json(http: responses.RequestsMock, url: str, body: str, status: int = 200, **kwargs: Any) -> None:
    http.add(responses.GET, url, body=body, status=status, content_type="application/json", **kwargs)


def test_timeline_follows_pagination_token_across_two_recorded_pages(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", recorded(PAGE2),
             match=[matchers.query_param_matcher({"pagination_token": NEXT_TOKEN}, strict_match=False)])
    add_json(http, f"{API}/users/460255655/tweets", recorded(PAGE1))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))

    pull = connector(max_pages=2).pull(WUNPINI, None)

    first, second = calls_to(http, "/tweets")  # max_pages=2: page 2's next_token is not followed
    assert "pagination_token" not in query(first) and "since_id" not in query(first)
    assert query(second)["pagination_token"] == NEXT_TOKEN
    assert query(first)["max_results"] == "100"
    assert query(first)["tweet.fields"].split(",") == TWEET_FIELDS
    assert query(first)["expansions"].split(",") == EXPANSIONS
    assert first.request.headers["Authorization"] == f"Bearer {TOKEN}"
    timeline = pull.pages[:2]
    for page, name in zip(timeline, (PAGE1, PAGE2), strict=True):
        body = json.loads(recorded(name))
        assert [p.platform_id for p in page.posts][: len(body["data"])] == [t["id"] for t in body["data"]]
        assert page.newest_id == body["meta"]["newest_id"]
    assert timeline[0].errors  # page 1's partial error is kept, not raised
    assert pull.requests == 4  # user lookup + two timeline pages + one mentions page
    assert len(pull.pages) == 3 and pull.pages[2].posts == []


def test_profile_description_is_returned_from_the_user_lookup(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", fixture("empty_page.json"))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))

    pull = connector().pull(WUNPINI, None)

    assert pull.profile is not None and pull.profile.startswith("Asst. Prof. | Journo/Scholar")
    assert query(http.calls[0])["user.fields"] == "description,username,name"


def test_unknown_id_is_resolved_from_the_handle_once(http, recorded, connector):
    add_json(http, f"{API}/users/by/username/wunpini_fm", user_body(recorded))
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", fixture("empty_page.json"))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))
    x = connector()

    x.pull(AccountRef("x", "@wunpini_fm"), None)
    x.pull(AccountRef("x", "@wunpini_fm"), None)

    lookups = [urlsplit(c.request.url).path for c in http.calls if "/tweets" not in c.request.url
               and "/mentions" not in c.request.url]
    assert lookups == ["/2/users/by/username/wunpini_fm", "/2/users/460255655"]


def test_mentions_are_residents_words_not_the_accounts(http, recorded, connector):
    account = AccountRef("x", "OrgComInTheNews", "956624418")
    mentions = recorded("users__956624418__mentions-d24b15.body.json")
    add_json(http, f"{API}/users/956624418", json.dumps({"data": {"id": "956624418", "username": "OrgComInTheNews",
                                                                  "name": "OrgCom", "description": ""}}))
    add_json(http, f"{API}/users/956624418/tweets", recorded("users__956624418__tweets-d24b15.body.json"))
    add_json(http, f"{API}/users/956624418/mentions", mentions)

    pull = connector().pull(account, None)

    mention = next(p for p in pull.pages[1].posts if p.platform_id == "1400099959421247495")
    assert mention.author_id == "264017818" and mention.author_handle == "seanmeddington"
    assert pull.profile == ""  # an empty bio is a real answer, kept as such


def test_second_cycle_sends_since_id_from_the_stored_cursor_and_reads_no_old_posts(
        http, recorded, connector, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("x", "wunpini_fm", "460255655", "personal", "Wunpini")])
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    since = matchers.query_param_matcher({"since_id": "1400188008909922306"}, strict_match=False)
    add_json(http, f"{API}/users/460255655/tweets", fixture("empty_page.json"), match=[since])
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"), match=[since])
    add_json(http, f"{API}/users/460255655/tweets", recorded(PAGE1))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))
    x = connector(max_pages=1)
    now = datetime(2021, 6, 3, tzinfo=UTC)

    first = x.pull(WUNPINI, None)
    store.ingest("x", "wunpini_fm", first.pages, now, "live", first.profile)
    cursor = store.accounts()[0].cursor
    second = x.pull(WUNPINI, cursor)
    store.close()

    assert cursor == "1400188008909922306"  # page 1's meta.newest_id, kept by the store
    assert [query(c)["since_id"] for c in calls_to(http, "/tweets")[1:] + calls_to(http, "/mentions")[1:]] == \
        [cursor, cursor]
    assert all(p.posts == [] for p in second.pages)


@time_machine.travel(datetime(2026, 11, 17, 16, 0, tzinfo=UTC), tick=False)
def test_429_is_rate_limited_with_reset_at_and_never_sleeps(http, recorded, connector, monkeypatch):
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s inside a cycle")

    monkeypatch.setattr(time, "sleep", no_sleep)
    reset = datetime(2026, 11, 17, 16, 15, tzinfo=UTC)
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", fixture("too_many_requests.json"), status=429,
             headers={"x-rate-limit-reset": str(int(reset.timestamp())), "x-rate-limit-remaining": "0"})
    started = time.perf_counter()

    with pytest.raises(RateLimited) as caught:
        connector().pull(WUNPINI, None)

    assert time.perf_counter() - started < 2
    assert caught.value.reset_at == reset and caught.value.kind == "rate-limited"
    assert "reopens in 900 s" in str(caught.value)


def test_429_without_a_reset_header_is_still_rate_limited(http, connector):
    add_json(http, f"{API}/users/460255655", fixture("too_many_requests.json"), status=429)

    with pytest.raises(RateLimited) as caught:
        connector().pull(WUNPINI, None)

    assert caught.value.reset_at is None


def test_expired_token_is_an_auth_error_naming_the_env_var_not_the_token(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", recorded("tweets__search__all-90b063.body.json"), status=401)

    with pytest.raises(AuthError) as caught:
        connector().pull(WUNPINI, None)

    assert "refused the token in X_BEARER_TOKEN (HTTP 401: Unauthorized)" in str(caught.value)
    assert TOKEN not in str(caught.value) and "[redacted]" not in str(caught.value)


def test_forbidden_is_an_auth_error(http, connector):
    body = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}
    add_json(http, f"{API}/users/460255655", json.dumps(body), status=403)

    with pytest.raises(AuthError, match="X_BEARER_TOKEN"):
        connector().pull(WUNPINI, None)


def test_a_user_that_no_longer_exists_is_not_found(http, recorded, connector):
    add_json(http, f"{API}/users/1405327120163872777",
             recorded("users__1405327120163872777__tweets-d24b15.body.json"))

    with pytest.raises(NotFound):
        connector().pull(AccountRef("x", "gone", "1405327120163872777"), None)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_platform_errors(http, recorded, connector, status):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    http.add(responses.GET, f"{API}/users/460255655/tweets", body="<html>Over capacity</html>", status=status,
             content_type="text/html")

    with pytest.raises(PlatformError) as caught:
        connector().pull(WUNPINI, None)

    assert caught.value.kind == "platform" and str(status) in str(caught.value)


def test_a_timeout_is_an_unreachable_platform_error(http, connector):
    http.add(responses.GET, f"{API}/users/460255655", body=requests.exceptions.ConnectTimeout("timed out"))

    with pytest.raises(PlatformError) as caught:
        connector().pull(WUNPINI, None)

    assert caught.value.kind == "unreachable"


def test_an_html_body_is_malformed(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    http.add(responses.GET, f"{API}/users/460255655/tweets", body="<!DOCTYPE html><p>Something went wrong</p>",
             content_type="text/html")

    with pytest.raises(MalformedBody):
        connector().pull(WUNPINI, None)


def test_missing_bearer_token_fails_in_the_factory_naming_the_env_var(settings):
    with pytest.raises(AuthError) as caught:
        make_x(settings, {})

    assert caught.value.account == "*" and "X_BEARER_TOKEN is not set" in str(caught.value)
    assert "(bearer) token" in str(caught.value) and "paid tier" in str(caught.value)


def test_factory_client_returns_raw_bodies_never_waits_and_has_a_timeout(settings):
    client = make_x(settings, ENV).client

    assert client.return_type is requests.Response and client.wait_on_rate_limit is False
    assert isinstance(client.session, TimeoutSession)


def test_a_client_that_would_sleep_on_rate_limits_is_refused():
    client = tweepy.Client(bearer_token=TOKEN, return_type=requests.Response, wait_on_rate_limit=True)

    with pytest.raises(ValueError, match="sleep"):
        XConnector(client)


def test_pull_matches_the_connector_protocol(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", fixture("empty_page.json"))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))
    x = connector()

    assert x.platform == "x" and isinstance(x.pull(WUNPINI, "not-a-snowflake"), Pull)
    assert "since_id" not in query(calls_to(http, "/tweets")[0])  # a foreign cursor is not sent to X


def test_reset_time_is_read_relative_to_the_injected_clock(http, connector, settings):
    reset = datetime(2030, 1, 1, tzinfo=UTC)
    add_json(http, f"{API}/users/460255655", fixture("too_many_requests.json"), status=429,
             headers={"x-rate-limit-reset": str(int(reset.timestamp()))})
    x = XConnector(make_x(settings, ENV).client, clock=lambda: reset - timedelta(minutes=5))

    with pytest.raises(RateLimited, match="reopens in 300 s"):
        x.pull(WUNPINI, None)


def test_every_body_is_kept_as_received_with_its_page(http, recorded, connector):
    served = [user_body(recorded), recorded(PAGE1), fixture("empty_page.json")]
    add_json(http, f"{API}/users/460255655", served[0])
    add_json(http, f"{API}/users/460255655/tweets", served[1])
    add_json(http, f"{API}/users/460255655/mentions", served[2])

    pull = connector(max_pages=1).pull(WUNPINI, None)

    assert [b.body for b in pull.bodies] == served and [b.status for b in pull.bodies] == [200] * 3
    assert pull.bodies[1].request.startswith("GET https://api.twitter.com/2/users/460255655/tweets?")
    assert [p.source for p in pull.pages] == pull.bodies[1:]
    assert not any(TOKEN in b.request or TOKEN in b.body for b in pull.bodies)


def test_archived_tweets_x_answers_not_found_for_are_gone(http, recorded, connector, tmp_path):
    """The recorded GET /2/tweets?ids=1,…,20: ids 1-19 answer resource-not-found, 20 exists."""
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("x", "wunpini_fm", "460255655", "personal", "Wunpini")])
    lookup = recorded("tweets-da6002.body.json")
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", fixture("empty_page.json"))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))
    add_json(http, f"{API}/tweets", lookup)
    known = [str(n) for n in range(1, 21)]

    pull = connector().pull(WUNPINI, "1400188008909922306", known)
    counts = store.ingest("x", "wunpini_fm", pull.pages, datetime(2021, 6, 3, tzinfo=UTC), "live")
    store.close()

    ids, = [query(c) for c in calls_to(http, "/2/tweets")]
    assert ids["ids"] == ",".join(known) and ids["tweet.fields"].split(",") == TWEET_FIELDS
    gone = pull.pages[-1]
    assert gone.gone_ids == [str(n) for n in range(1, 20)] and [p.platform_id for p in gone.posts][:1] == ["20"]
    assert gone.newest_id is None and gone.source is not None and gone.source.body == lookup
    assert counts.deleted == 0  # none of these ids was archived here: nothing to mark, nothing invented


def test_archived_ids_are_looked_up_100_at_a_time(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", fixture("empty_page.json"))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))
    add_json(http, f"{API}/tweets", recorded("tweets-0b8bd2.body.json"))  # every id not found
    known = [str(1400000000000000000 + n) for n in range(150)] + ["not-an-id"]

    connector().pull(WUNPINI, None, known)

    assert [len(query(c)["ids"].split(",")) for c in calls_to(http, "/2/tweets")] == [100, 50]


def test_a_rate_limit_on_the_deletion_check_keeps_the_timeline(http, recorded, connector):
    add_json(http, f"{API}/users/460255655", user_body(recorded))
    add_json(http, f"{API}/users/460255655/tweets", recorded(PAGE1))
    add_json(http, f"{API}/users/460255655/mentions", fixture("empty_page.json"))
    add_json(http, f"{API}/tweets", fixture("too_many_requests.json"), status=429)

    pull = connector(max_pages=1).pull(WUNPINI, None, ["1400000000000000001"])

    assert pull.pages[0].posts and pull.pages[0].newest_id == json.loads(recorded(PAGE1))["meta"]["newest_id"]
    assert pull.pages[-1].posts == [] and "deletion check was skipped" in pull.pages[-1].errors[0]
