"""The live Mastodon connector with HTTP faked at the requests transport (`responses`;
Mastodon.py sends through requests). Bodies and headers come from halcy/Mastodon.py's vcrpy
cassettes, parsed here and read in place from ../shared (recorded against a real Mastodon
server at http://localhost:3000), and from bodies written in the documented REST format
(tests/fixtures/mastodon) where the recordings have no such case."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import yaml
from responses import matchers

from auditor.archive.store import Store
from auditor.config.settings import load_settings
from auditor.records import AccountRef
from connectors.errors import AccountConfigError, AuthError, NotFound, PlatformError, RateLimited
from connectors.mastodon import MastodonConnector, make_mastodon

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = Path(__file__).resolve().parents[2] / "shared" / "payloads" / "mastodon" / "halcy_Mastodon.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mastodon"
LOCAL = "http://localhost:3000"
RECORDED_ID = "117020565966271181"  # mastodonpy_test in the cassettes
STATUSES = f"{LOCAL}/api/v1/accounts/{RECORDED_ID}/statuses"
TESTER = AccountRef("mastodon", "mastodonpy_test")
LEDUC = "https://leduc.social"
JANE = AccountRef("mastodon", "jane")
JANE_ID = "109876543210000001"
CLOCK = datetime(2026, 8, 1, 13, 50, tzinfo=UTC)
KEPT_HEADERS = ("link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "date")


@pytest.fixture
def cassette():
    """Recorded interactions of one cassette: (method, uri, status, headers, body text)."""
    if not CASSETTES.is_dir():
        pytest.skip(f"recorded cassettes not found at {CASSETTES} (checkout of ../shared missing)")

    def read(name: str) -> list[tuple[str, str, int, dict[str, str], str]]:
        data = yaml.safe_load((CASSETTES / name).read_text(encoding="utf-8"))
        out = []
        for item in data["interactions"]:
            request, response = item["request"], item["response"]
            headers = {k: v[0] for k, v in response["headers"].items() if k.lower() in KEPT_HEADERS}
            out.append((request["method"], request["uri"], response["status"]["code"], headers,
                        response["body"]["string"]))
        return out

    return read


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def connector(**options: Any) -> MastodonConnector:
    return MastodonConnector({"mastodonpy_test": LOCAL, "Jane": LEDUC, "nowhere": None}, clock=lambda: CLOCK,
                             **options)


def add(http: responses.RequestsMock, url: str, body: str, status: int = 200, headers: dict[str, str] | None = None,
        **kwargs: Any) -> None:
    http.add(responses.GET, url, body=body, status=status, headers=headers or {},
             content_type="application/json; charset=utf-8", **kwargs)


def query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def recorded_pages(cassette) -> tuple[Any, Any, Any]:
    interactions = cassette("test_fetch_next_previous.yaml")
    account = interactions[0]  # verify_credentials: the same account object as a lookup
    pages = [i for i in interactions if i[0] == "GET" and "/statuses?" in i[1]]
    return account, pages[0], pages[1]


def serve_recorded(http: responses.RequestsMock, cassette) -> tuple[Any, Any, Any]:
    account, first, second = recorded_pages(cassette)
    add(http, f"{LOCAL}/api/v1/accounts/lookup", account[4], headers=account[3])
    add(http, STATUSES, second[4], headers=second[3],
        match=[matchers.query_param_matcher({"max_id": "117020580489281910"}, strict_match=False)])
    add(http, STATUSES, first[4], headers=first[3])
    return account, first, second


def test_recorded_pages_are_followed_through_the_link_header(http, cassette):
    account, first, second = serve_recorded(http, cassette)

    pull = connector(max_pages=2).pull(TESTER, None)

    lookup, page1, page2 = http.calls
    assert query(lookup) == {"acct": "mastodonpy_test"}
    assert query(page1) == {"limit": "40"}  # no since_id on a first read
    assert query(page2) == {"limit": "40", "max_id": "117020580489281910"}
    assert [p.platform_id for p in pull.pages[0].posts] == [s["id"] for s in json.loads(first[4])]
    assert pull.pages[0].posts[0].text == "Toot number 9!" and pull.pages[0].posts[0].raw["content"] == \
        "<p>Toot number 9!</p>"
    assert pull.pages[0].newest_id == "117020580518794573" and pull.pages[1].newest_id == "117020580481736214"
    assert pull.profile == "I walk funny" and pull.pages[0].account_id == RECORDED_ID
    assert [b.body for b in pull.bodies] == [account[4], first[4], second[4]]  # byte for byte
    assert [p.source for p in pull.pages] == pull.bodies[1:] and pull.requests == 3


def test_since_id_comes_from_the_cursor_and_paging_stops_at_it(http, cassette, tmp_path):
    """Mastodon.py's fetch_next drops since_id to follow Link rel=next: left alone it would walk
    back through the whole history. The connector stops at the first page reaching the cursor."""
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("mastodon", "mastodonpy_test", None, "personal", "Tester")])
    serve_recorded(http, cassette)
    mastodon = connector(max_pages=1)

    first = mastodon.pull(TESTER, None)
    store.ingest("mastodon", "mastodonpy_test", first.pages, CLOCK, "live", first.profile)
    cursor = store.accounts()[0].cursor
    mastodon.max_pages = 5
    mastodon.pull(TESTER, "117020580496489811")  # inside page 1: its Link rel=next is not followed
    store.close()

    assert cursor == "117020580518794573"
    since = [query(c) for c in http.calls if c.request.url.startswith(STATUSES)][1]
    assert since == {"limit": "40", "since_id": "117020580496489811"}
    assert len([c for c in http.calls if c.request.url.startswith(STATUSES)]) == 2


def test_a_recorded_404_on_an_archived_status_marks_it_gone(http, cassette):
    account, first, _ = recorded_pages(cassette)
    missing = cassette("test_status_missing.yaml")[0]
    add(http, f"{LOCAL}/api/v1/accounts/lookup", account[4])
    add(http, STATUSES, "[]")
    add(http, f"{LOCAL}/api/v1/statuses/0", missing[4], status=404, headers=missing[3])

    pull = connector().pull(TESTER, None, ["0"])

    assert pull.pages[-1].gone_ids == ["0"] and pull.pages[-1].source.status == 404
    assert pull.pages[-1].source.body == '{"error":"Not Found"}'


def test_at_most_20_archived_statuses_are_checked_a_cycle(http):
    known = [str(113500000000000000 + n) for n in range(30)]
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("account_lookup.json"))
    add(http, f"{LEDUC}/api/v1/accounts/{JANE_ID}/statuses", "[]")
    for status_id in known:
        http.add(responses.GET, f"{LEDUC}/api/v1/statuses/{status_id}", status=404, body='{"error":"Not Found"}')

    pull = connector().pull(JANE, None, known)

    asked = [urlsplit(c.request.url).path.rsplit("/", 1)[-1] for c in http.calls if "/statuses/" in c.request.url]
    assert len(asked) == 20 and set(asked) <= set(known)
    assert set(sorted(known, reverse=True)[:10]) <= set(asked)  # the newest ten always, then a sample
    assert sorted(i for page in pull.pages for i in page.gone_ids) == sorted(asked)


def test_an_edited_status_becomes_a_new_version(http, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("mastodon", "jane", JANE_ID, "personal", "Jane Doe")])
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("account_lookup.json"))
    add(http, f"{LEDUC}/api/v1/accounts/{JANE_ID}/statuses", fixture("statuses_p1.json"))
    add(http, f"{LEDUC}/api/v1/statuses/113500000000000050/context", fixture("context_open_house.json"))
    add(http, f"{LEDUC}/api/v1/statuses/113500000000000050", fixture("status_edited.json"))
    mastodon = connector()

    first = mastodon.pull(JANE, None)
    store.ingest("mastodon", "jane", first.pages, datetime(2026, 11, 18, 0, 0, tzinfo=UTC), "live")
    second = mastodon.pull(JANE, store.accounts()[0].cursor, ["113500000000000050"])
    counts = store.ingest("mastodon", "jane", second.pages, datetime(2026, 11, 18, 10, 0, tzinfo=UTC), "live")
    views = {v.platform_id: v for v in store.post_views()}
    store.close()

    assert counts.updated == 1
    edited = views["113500000000000050"]
    assert "10\xa0am to 4\xa0pm" in edited.text


def test_replies_under_statuses_with_replies_are_read_from_the_context(http):
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("account_lookup.json"))
    add(http, f"{LEDUC}/api/v1/accounts/{JANE_ID}/statuses", fixture("statuses_p1.json"))
    add(http, f"{LEDUC}/api/v1/statuses/113500000000000050/context", fixture("context_open_house.json"))

    pull = connector().pull(JANE, None)

    contexts = [c for c in http.calls if c.request.url.endswith("/context")]
    assert len(contexts) == 1  # only the open house has replies_count > 0
    context = pull.pages[-1]
    mark, jane = context.posts
    assert (mark.kind, mark.parent_id, mark.author_handle) == ("reply", "113500000000000050", "markp@mastodon.online")
    assert mark.text == "@jane Will there be parking?"
    assert (jane.author_id, jane.parent_id) == (JANE_ID, mark.platform_id)
    assert context.newest_id is None  # a resident's reply never moves the account's cursor


def test_the_recorded_empty_context_and_reply_statuses_parse(http, cassette):
    context = cassette("test_status_context.yaml")[1]
    reply = next(i for i in cassette("test_status_reply.yaml") if i[0] == "POST" and "in_reply_to_id\":\"" in i[4])
    statuses = json.dumps([json.loads(reply[4]) | {"replies_count": 1}])
    account = {"id": json.loads(reply[4])["account"]["id"], "acct": "admin", "username": "admin", "note": ""}
    add(http, f"{LOCAL}/api/v1/accounts/lookup", json.dumps(account))
    add(http, f"{LOCAL}/api/v1/accounts/{account['id']}/statuses", statuses)
    add(http, f"{LOCAL}/api/v1/statuses/{json.loads(reply[4])['id']}/context", context[4], headers=context[3])

    pull = MastodonConnector({"admin": LOCAL}).pull(AccountRef("mastodon", "admin"), None)

    post, = pull.pages[0].posts
    assert post.kind == "reply" and post.parent_id == json.loads(reply[4])["in_reply_to_id"]
    assert post.text == "@mastodonpy_test_2 same!"
    assert pull.pages[-1].posts == [] and pull.pages[-1].source.body == '{"ancestors":[],"descendants":[]}'


def test_an_account_without_an_instance_is_explained_and_fails_alone():
    with pytest.raises(AccountConfigError) as caught:
        connector().pull(AccountRef("mastodon", "@nowhere@example.social"), None)

    assert caught.value.kind == "config" and "instance: https://example.social" in str(caught.value)
    assert "Complete the account's entry in the configuration file" in str(caught.value)


@pytest.mark.parametrize("reset", ["2026-08-01T13:55:00.348080Z", "1785592500"])
def test_429_is_rate_limited_with_the_reset_header_and_never_sleeps(http, monkeypatch, reset):
    monkeypatch.setattr(time, "sleep", lambda s: pytest.fail(f"slept {s}s"))
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("error_rate_limited.json"), status=429,
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    mastodon = connector()

    with pytest.raises(RateLimited) as caught:
        mastodon.pull(JANE, None)

    expected = datetime.fromisoformat(reset) if "T" in reset else datetime.fromtimestamp(int(reset), tz=UTC)
    assert caught.value.reset_at == expected
    assert mastodon._apis[LEDUC].ratelimit_method == "throw"


def test_a_garbled_reset_header_on_a_good_answer_is_not_a_rate_limit(http):
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("account_lookup.json"),
        headers={"X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "soon-ish"})

    with pytest.raises(PlatformError, match="unreadable X-RateLimit-Reset"):
        connector().pull(JANE, None)


def test_a_limit_hit_on_the_checks_keeps_the_statuses(http):
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("account_lookup.json"))
    add(http, f"{LEDUC}/api/v1/accounts/{JANE_ID}/statuses", fixture("statuses_p1.json"))
    add(http, f"{LEDUC}/api/v1/statuses/113500000000000050/context", fixture("error_rate_limited.json"), status=429)

    pull = connector().pull(JANE, None)

    assert len(pull.pages[0].posts) == 5 and "was skipped" in pull.pages[-1].errors[0]


def test_an_unknown_account_is_not_found(http):
    add(http, f"{LEDUC}/api/v1/accounts/lookup", '{"error":"Record not found"}', status=404)

    with pytest.raises(NotFound):
        connector().check(JANE)


def test_a_server_that_requires_login_is_explained(http):
    add(http, f"{LEDUC}/api/v1/accounts/lookup", '{"error":"This API requires an authenticated user"}', status=401)

    with pytest.raises(AuthError, match="refused an anonymous read"):
        connector().pull(JANE, None)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_platform_errors(http, status):
    http.add(responses.GET, f"{LEDUC}/api/v1/accounts/lookup", body="<html>oops</html>", status=status)

    with pytest.raises(PlatformError) as caught:
        connector().pull(JANE, None)

    assert f"HTTP {status}" in str(caught.value) and "leduc.social" in str(caught.value)


def test_a_timeout_is_unreachable(http):
    http.add(responses.GET, f"{LEDUC}/api/v1/accounts/lookup", body=requests.exceptions.ReadTimeout("timed out"))

    with pytest.raises(PlatformError) as caught:
        connector().pull(JANE, None)

    assert caught.value.kind == "unreachable"


def test_the_factory_maps_each_account_to_its_instance(tmp_path):
    path = tmp_path / "auditor.yaml"
    path.write_text(
        f"council: {{name: Test council}}\npolicy: {ROOT / 'config' / 'policy.yaml'}\n"
        "councillors:\n  - name: Jane Doe\n    accounts:\n"
        "      - {platform: mastodon, handle: Jane, instance: https://leduc.social}\n", encoding="utf-8")

    mastodon = make_mastodon(load_settings(path), {})

    assert mastodon.instances == {"jane": "https://leduc.social"}
    with pytest.raises(AccountConfigError, match="no `instance:` is configured"):
        mastodon.check(AccountRef("mastodon", "unconfigured"))  # the configuration refuses it earlier, too
    assert mastodon.session.timeout == 30.0  # a stalled server cannot hold the cycle


def test_check_resolves_the_handle_to_its_id_on_its_server(http):
    add(http, f"{LEDUC}/api/v1/accounts/lookup", fixture("account_lookup.json"))

    assert connector().check(AccountRef("mastodon", "@Jane")) == JANE_ID
    assert query(http.calls[0]) == {"acct": "Jane"}
