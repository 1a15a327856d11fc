"""One contract, every live connector (x, facebook, youtube, bluesky, mastodon), each with HTTP
faked at its own transport (`responses` for requests, `HttpMockSequence` for httplib2, `respx`
for httpx):

- it is a `Connector`: `platform`, `pull(account, cursor, known)` -> `Pull`, `check`;
- every body received is in `Pull.bodies`, byte for byte as served, each page's `source` is
  one of them, and no secret is in any request line or body;
- an archived post the platform no longer has is reported in `Page.gone_ids`, the store marks
  it deleted (and keeps it), and the `deleted-post` rule finds it;
- nothing sleeps.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import facebook
import httpx
import pytest
import requests
import responses
import respx
import tweepy
from googleapiclient.http import HttpMockSequence

from auditor.archive.store import Store
from auditor.config.policy import load_policy
from auditor.engine.context import AuditContext
from auditor.engine.evaluate import enabled_rules, evaluate
from auditor.records import AccountRef
from connectors import registry
from connectors.base import Connector, Pull
from connectors.bluesky import APPVIEW, BlueskyConnector, appview_client
from connectors.facebook import FacebookConnector
from connectors.http import BodyRecorder, TimeoutSession
from connectors.mastodon import MastodonConnector
from connectors.x import XConnector
from connectors.youtube import youtube_connector

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
POLICY = load_policy(ROOT / "config" / "policy.yaml")
PLATFORMS = list(registry.NAMES)  # a platform added there without a scenario here fails
X_TOKEN = "AAAAAAAAAAAAAAAAAAAAAcontract-bearer-secret"
FB_TOKEN = "EAAGcontractPageTokenSecret"
YT_KEY = "AIzaSyContractKeySecretValue000"


def fixture(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text(encoding="utf-8")


@dataclass
class Scenario:
    """A connector with two cycles queued: a first read with one of the account's posts, then a
    second in which the platform no longer has that post."""

    connector: Connector
    account: AccountRef
    gone_id: str
    secrets: list[str]
    served: list[str] = field(default_factory=list)  # every body the fakes sent, in order


def json_response(body: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, text=body, headers={"content-type": "application/json; charset=utf-8",
                                                      **(headers or {})})


def x_scenario(stack: ExitStack) -> Scenario:
    http = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
    user = json.dumps({"data": {"id": "2222", "username": "JaneDoeLeduc", "name": "Jane Doe", "description": "Ward 3"}})
    tweet = json.dumps({"data": [{"id": "1860000000000000001", "text": "Open house Saturday at the library.",
                                  "author_id": "2222", "created_at": "2026-11-17T16:00:00.000Z",
                                  "conversation_id": "1860000000000000001", "edit_history_tweet_ids": ["1"]}],
                        "meta": {"result_count": 1, "newest_id": "1860000000000000001",
                                 "oldest_id": "1860000000000000001"}})
    gone = json.dumps({"errors": [{"value": "1860000000000000001", "detail": "Could not find tweet with ids: "
                                   "[1860000000000000001].", "title": "Not Found Error", "resource_type": "tweet",
                                   "parameter": "ids", "resource_id": "1860000000000000001",
                                   "type": "https://api.twitter.com/2/problems/resource-not-found"}]})
    empty = fixture("x", "empty_page.json")
    scenario = Scenario(XConnector(_x_client()), AccountRef("x", "JaneDoeLeduc", "2222"), "1860000000000000001",
                        [X_TOKEN])
    api = "https://api.twitter.com/2"
    for url, body in [(f"{api}/users/2222", user), (f"{api}/users/2222/tweets", tweet),
                      (f"{api}/users/2222/mentions", empty), (f"{api}/users/2222", user),
                      (f"{api}/users/2222/tweets", empty), (f"{api}/users/2222/mentions", empty),
                      (f"{api}/tweets", gone)]:
        http.add(responses.GET, url, body=body, content_type="application/json")
        scenario.served.append(body)
    return scenario


def _x_client() -> tweepy.Client:
    client = tweepy.Client(bearer_token=X_TOKEN, return_type=requests.Response, wait_on_rate_limit=False)
    client.session = TimeoutSession()
    return client


def facebook_scenario(stack: ExitStack) -> Scenario:
    http = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
    graph = facebook.GraphAPI(access_token=FB_TOKEN)
    graph.version = "v23.0"
    posts = json.loads(fixture("facebook", "posts_p1.json"))
    posts["paging"].pop("next")  # one page
    # Graph echoes the token in paging URLs: the recorder must redact it in the kept body.
    posts["paging"]["previous"] = f"https://graph.facebook.com/v23.0/1234567890/posts?access_token={FB_TOKEN}&x=1"
    first = json.dumps(posts)
    known_left = json.dumps({"1234567890_6666666666": {"id": "1234567890_6666666666"},
                             "6666666666_8888888888": {"id": "6666666666_8888888888"}})
    scenario = Scenario(FacebookConnector(graph), AccountRef("facebook", "cllr.example", "1234567890"),
                        "1234567890_1111111111", [FB_TOKEN])
    graph_url = "https://graph.facebook.com/v23.0"
    for url, body in [(f"{graph_url}/1234567890/posts", first), (f"{graph_url}/1234567890/posts", '{"data": []}'),
                      (f"{graph_url}/", known_left)]:
        http.add(responses.GET, url, body=body, content_type="application/json")
        scenario.served.append(body)
    return scenario


def youtube_scenario(stack: ExitStack) -> Scenario:
    ok = {"status": "200", "content-type": "application/json; charset=UTF-8"}
    playlist = json.loads(fixture("youtube", "playlist_items_p1.json"))
    playlist["items"] = playlist["items"][:1]
    playlist.pop("nextPageToken")
    no_threads = json.dumps({"kind": "youtube#commentThreadListResponse", "items": [],
                             "pageInfo": {"totalResults": 0, "resultsPerPage": 100}})
    no_videos = json.dumps({"kind": "youtube#videoListResponse", "items": [],
                            "pageInfo": {"totalResults": 0, "resultsPerPage": 0}})
    bodies = [fixture("youtube", "channels_by_handle.json"), json.dumps(playlist), no_threads,
              fixture("youtube", "channels_by_handle.json"), fixture("youtube", "playlist_items_empty.json"), no_videos]
    connector = youtube_connector(HttpMockSequence([(ok, b) for b in bodies]), YT_KEY)
    return Scenario(connector, AccountRef("youtube", "@janedoeleduc"), "F1UP7wRCPH8", [YT_KEY], bodies)


def bluesky_scenario(stack: ExitStack) -> Scenario:
    mock = stack.enter_context(respx.mock(assert_all_called=False))
    feed = fixture("bluesky", "author_feed_p2.json")
    bodies = [fixture("bluesky", "profile.json"), feed, fixture("bluesky", "profile.json"),
              fixture("bluesky", "author_feed_empty.json"), '{"posts": []}']
    mock.get(f"{APPVIEW}/app.bsky.actor.getProfile").mock(side_effect=[json_response(bodies[0]),
                                                                      json_response(bodies[2])])
    mock.get(f"{APPVIEW}/app.bsky.feed.getAuthorFeed").mock(side_effect=[json_response(bodies[1]),
                                                                        json_response(bodies[3])])
    mock.get(f"{APPVIEW}/app.bsky.feed.getPosts").mock(return_value=json_response(bodies[4]))
    recorder = BodyRecorder()
    gone = "at://did:plc:jd3leducwardthreecouncil/app.bsky.feed.post/3l9olderpost2a"
    return Scenario(BlueskyConnector(appview_client(recorder), recorder), AccountRef("bluesky", "janedoe.bsky.social"),
                    gone, [], bodies)


def mastodon_scenario(stack: ExitStack) -> Scenario:
    http = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
    statuses = json.loads(fixture("mastodon", "statuses_p1.json"))
    one = json.dumps(statuses[3:])  # the content-warning post, no replies
    base = "https://leduc.social/api/v1"
    bodies = [fixture("mastodon", "account_lookup.json"), one, fixture("mastodon", "account_lookup.json"),
              fixture("mastodon", "statuses_empty.json"), '{"error":"Record not found"}']
    http.add(responses.GET, f"{base}/accounts/lookup", body=bodies[0], content_type="application/json")
    http.add(responses.GET, f"{base}/accounts/109876543210000001/statuses", body=bodies[1],
             content_type="application/json")
    http.add(responses.GET, f"{base}/accounts/lookup", body=bodies[2], content_type="application/json")
    http.add(responses.GET, f"{base}/accounts/109876543210000001/statuses", body=bodies[3],
             content_type="application/json")
    http.add(responses.GET, f"{base}/statuses/113500000000000040", body=bodies[4], status=404,
             content_type="application/json")
    connector = MastodonConnector({"jane": "https://leduc.social"})
    return Scenario(connector, AccountRef("mastodon", "jane"), "113500000000000040", [], bodies)


SCENARIOS: dict[str, Callable[[ExitStack], Scenario]] = {
    "x": x_scenario, "facebook": facebook_scenario, "youtube": youtube_scenario,
    "bluesky": bluesky_scenario, "mastodon": mastodon_scenario,
}


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s inside a cycle")

    monkeypatch.setattr(time, "sleep", refuse)


@pytest.fixture(params=PLATFORMS)
def scenario(request: pytest.FixtureRequest, no_sleep: None) -> Iterator[Scenario]:
    with ExitStack() as stack:
        yield SCENARIOS[request.param](stack)


def two_cycles(scenario: Scenario, store: Store) -> tuple[Pull, Pull]:
    account = scenario.account
    first = scenario.connector.pull(account, None)
    newest = max(p.created_at for page in first.pages for p in page.posts if p.platform_id == scenario.gone_id)
    now = newest + timedelta(days=1)
    store.ingest(account.platform, account.handle, first.pages, now, "live", first.profile)
    known = store.recent_post_ids(account.platform, account.handle, now - timedelta(days=14))
    assert scenario.gone_id in known
    second = scenario.connector.pull(account, store.accounts()[0].cursor, known)
    store.ingest(account.platform, account.handle, second.pages, now + timedelta(hours=1), "live", second.profile)
    return first, second


@pytest.fixture
def store(tmp_path: Path, scenario: Scenario) -> Iterator[Store]:
    archive = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    account = scenario.account
    archive.sync_accounts([(account.platform, account.handle, account.platform_id, "personal", "Jane Doe")])
    yield archive
    archive.close()


def test_the_connector_keeps_the_protocol(scenario: Scenario, store: Store) -> None:
    first, second = two_cycles(scenario, store)

    assert isinstance(first, Pull) and isinstance(second, Pull)
    assert scenario.connector.platform == scenario.account.platform
    assert all(p.platform == scenario.account.platform for pull in (first, second) for page in pull.pages
               for p in page.posts)
    assert first.requests > 0 and first.requests == len(first.bodies)  # YouTube: quota units, one a call


def test_every_body_is_kept_as_served_and_each_page_names_its_own(scenario: Scenario, store: Store) -> None:
    first, second = two_cycles(scenario, store)
    bodies = first.bodies + second.bodies

    redacted = [_redact(body, scenario.secrets) for body in scenario.served]
    assert [b.body for b in bodies] == redacted  # byte for byte, in the order received
    assert all(b.status == (404 if '"error"' in b.body and scenario.account.platform == "mastodon" else 200)
               for b in bodies)
    for page in first.pages + second.pages:
        assert page.source is not None and any(page.source is b for b in bodies)
    for body in bodies:
        assert body.request.startswith("GET https://")
        for secret in scenario.secrets:
            assert secret not in body.request and secret not in body.body


def test_a_post_gone_from_the_platform_is_marked_deleted_and_found(scenario: Scenario, store: Store) -> None:
    _, second = two_cycles(scenario, store)

    assert scenario.gone_id in {i for page in second.pages for i in page.gone_ids}
    views = {v.platform_id: v for v in store.post_views()}
    gone = views[scenario.gone_id]
    assert gone.deleted_at is not None and gone.text  # marked, and the archive keeps the words
    assert [v.platform_id for v in views.values() if v.deleted_at] == [scenario.gone_id]
    ctx = AuditContext(now=gone.deleted_at + timedelta(minutes=1), tz=ZoneInfo("America/Edmonton"),
                       posts=store.post_views(), accounts=store.account_infos(), meetings=[], emergencies=[],
                       preferred_platforms=PLATFORMS)
    findings = evaluate(ctx, enabled_rules(POLICY, only=["deleted-post"]))
    assert [(f.rule, f.post_id) for f in findings] == [("deleted-post", scenario.gone_id)]


def _redact(body: str, secrets: list[str]) -> str:
    for secret in secrets:
        body = body.replace(secret, "[redacted]")
    return body
