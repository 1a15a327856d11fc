"""The live YouTube connector with googleapiclient's own `HttpMockSequence` in place of httplib2:
the real python-youtube recordings (comment threads, replies by parent, error bodies) read in
place from ../shared, and channel/playlist/video bodies written in the documented Data API v3
format (tests/fixtures/youtube). The client is built with static discovery: no network."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httplib2
import pytest
from googleapiclient.http import HttpMock, HttpMockSequence

from auditor.archive.store import Store
from auditor.config.settings import Settings, load_settings
from auditor.records import AccountRef
from connectors import registry
from connectors.errors import AuthError, ConnectorError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.youtube import YouTubeConnector, make_youtube, youtube_connector

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "payloads" / "youtube" / "python-youtube"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "youtube"
KEY = "AIzaSyTESTkeyNotRealButSecret0000"
CHANNEL = "UCJaneDoeLeducCouncil001"
JANE = AccountRef("youtube", "@janedoeleduc")
OK = {"status": "200", "content-type": "application/json; charset=UTF-8"}
THREADS = "comment_threads__comment_threads_by_video_paged_1.json"
CLOCK = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def recorded() -> Callable[[str], str]:
    if not PAYLOADS.is_dir():
        pytest.skip(f"recorded payloads not found at {PAYLOADS} (checkout of ../shared missing)")
    return lambda name: (PAYLOADS / name).read_text(encoding="utf-8")


def answer(body: str, status: int = 200) -> tuple[dict[str, str], str]:
    return ({**OK, "status": str(status)}, body)


def connect(*responses: tuple[dict[str, str], str], **options: Any) -> tuple[YouTubeConnector, HttpMockSequence]:
    http = HttpMockSequence(list(responses))
    return youtube_connector(http, KEY, clock=lambda: CLOCK, **options), http


def asked(http: HttpMockSequence) -> list[tuple[str, dict[str, str]]]:
    """(endpoint, query) of every request made, in order."""
    out = []
    for uri, *_ in http.request_sequence:
        parts = urlsplit(uri)
        out.append((parts.path.rsplit("/", 1)[-1], {k: v[0] for k, v in parse_qs(parts.query).items()}))
    return out


def one_video_playlist() -> str:
    body = json.loads(fixture("playlist_items_p1.json"))
    body["items"] = body["items"][:1]
    del body["nextPageToken"]
    return json.dumps(body)


def test_uploads_comments_and_replies_are_read_with_the_channels_own_reply_as_the_councillors(recorded):
    yt, http = connect(
        answer(fixture("channels_by_handle.json")), answer(one_video_playlist()),
        answer(fixture("comment_threads_council.json")), answer(recorded("comments__comments_by_parent_paged_1.json")),
    )

    pull = yt.pull(JANE, None)

    calls = asked(http)
    assert [c[0] for c in calls] == ["channels", "playlistItems", "commentThreads", "comments"]
    assert calls[0][1]["forHandle"] == "janedoeleduc" and calls[0][1]["part"] == "contentDetails,snippet"
    assert calls[1][1]["playlistId"] == "UU" + CHANNEL[2:] and calls[1][1]["maxResults"] == "50"
    assert calls[2][1]["videoId"] == "F1UP7wRCPH8" and calls[2][1]["part"] == "snippet,replies"
    assert calls[3][1]["parentId"] == "UgxAnotherResident0001AaABAg"  # 7 replies, 1 included: the rest read
    assert all(c[1]["key"] == KEY for c in calls)  # the key is sent, as YouTube requires
    posts = {p.platform_id: p for page in pull.pages for p in page.posts}
    video = posts["F1UP7wRCPH8"]
    assert video.kind == "post" and video.author_id == CHANNEL and video.url == "https://www.youtube.com/watch?v=F1UP7wRCPH8"
    assert video.text == "Ward 3 update: ring road\n\nWhere the ring road contract stands.\nComments welcome!"
    question = posts["UgzResidentQuestion00AaABAg"]
    assert (question.kind, question.parent_id) == ("comment", "F1UP7wRCPH8")
    assert question.author_id == "UCResidentAaaaaaaaaaaaaa"
    answer_ = posts["UgzResidentQuestion00AaABAg.9zJaneAnswer01"]
    assert (answer_.kind, answer_.parent_id, answer_.author_id) == ("reply", question.platform_id, CHANNEL)
    assert answer_.author_handle == "janedoeleduc"
    recorded_reply = posts["Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh"]
    assert recorded_reply.kind == "reply" and recorded_reply.parent_id == "Ugw5zYU6n9pmIgAZWvN4AaABAg"
    assert pull.profile == "Councillor for Ward 3, City of Leduc. Views are my own."
    assert pull.requests == 4  # quota units: four list calls


def test_recorded_threads_keep_text_original_and_authors(recorded):
    yt, http = connect(answer(fixture("channels_by_handle.json")), answer(one_video_playlist()),
                       answer(recorded(THREADS)), answer(recorded("comments__comments_by_parent_paged_2.json")))

    pull = yt.pull(JANE, None)

    threads = json.loads(recorded(THREADS))["items"]
    page = pull.pages[1]
    assert [p.platform_id for p in page.posts] == [t["id"] for t in threads]
    first = page.posts[0]
    assert first.text == "Google.com" and "<a href" in first.raw["snippet"]["textDisplay"]  # HTML stays in raw
    assert first.author_id == "UCzj-CjKYmGlZ7vTL-vOe57A" and first.author_name == "himani agarwal"
    assert page.posts[4].text.startswith("Lot's of good light") and page.posts[4].author_handle is None


def test_a_second_cycle_stops_at_the_cursor_and_counts_its_units(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'archive.db'}")
    store.sync_accounts([("youtube", "@janedoeleduc", None, "personal", "Jane Doe")])
    empty_threads = json.dumps({"kind": "youtube#commentThreadListResponse", "items": []})
    yt, http = connect(
        answer(fixture("channels_by_handle.json")), answer(fixture("playlist_items_p1.json")),
        answer(fixture("playlist_items_p2.json")), *[answer(empty_threads)] * 3,
        answer(fixture("channels_by_handle.json")), answer(fixture("playlist_items_p1.json")),
        answer(empty_threads),
    )

    first = yt.pull(JANE, None)
    store.ingest("youtube", "@janedoeleduc", first.pages, CLOCK, "live", first.profile)
    cursor = store.accounts()[0].cursor
    assert cursor == "2026-11-17T18:30:00+00:00" and store.accounts()[0].platform_id == CHANNEL
    yt.pull(JANE, "2026-11-12T00:00:00+00:00")  # a video of page 1 is older: page 2 is not read
    store.close()

    assert [c[0] for c in asked(http)][6:] == ["channels", "playlistItems", "commentThreads"]
    assert first.requests == 6 and [p.posts for p in first.pages[:2]] and "PrIvAtEvId0" not in {
        p.platform_id for page in first.pages for p in page.posts}  # a private upload is no post


def test_archived_videos_and_comments_missing_from_the_lookup_are_gone_and_edits_kept(tmp_path):
    gone_video, gone_comment = "ZZZZZZZZZZZ", "UgzDeletedByJane000000AaABAg.9zOldReply00"
    yt, http = connect(
        answer(fixture("channels_by_handle.json")), answer(fixture("playlist_items_empty.json")),
        answer(fixture("videos_lookup.json")), answer(fixture("comments_lookup_empty.json")),
        answer(json.dumps({"kind": "youtube#commentThreadListResponse", "items": []})),
    )

    pull = yt.pull(JANE, "2026-11-17T18:30:00+00:00", ["D-lhorsDlUQ", gone_video, gone_comment])

    calls = asked(http)
    assert calls[2] == ("videos", {"part": "snippet", "id": f"D-lhorsDlUQ,{gone_video}", "maxResults": "50",
                                   "key": KEY, "alt": "json"})
    assert calls[3][0] == "comments" and calls[3][1]["id"] == gone_comment  # comment ids never go to videos.list
    assert calls[4][1]["videoId"] == "D-lhorsDlUQ"  # a surviving recent video's comments are read again
    gone = [i for page in pull.pages for i in page.gone_ids]
    assert gone == [gone_video, gone_comment]
    edited = next(p for page in pull.pages for p in page.posts if p.platform_id == "D-lhorsDlUQ")
    assert edited.text == "Library expansion open house (edited)\n\nNow with the floor plans."
    assert all(page.newest_id is None for page in pull.pages[1:])  # lookups never move the cursor


def test_video_ids_are_looked_up_fifty_at_a_time():
    known = [f"vid{n:08d}" for n in range(60)]
    empty = json.dumps({"kind": "youtube#videoListResponse", "items": []})
    yt, http = connect(answer(fixture("channels_by_handle.json")), answer(fixture("playlist_items_empty.json")),
                       answer(empty), answer(empty))

    pull = yt.pull(JANE, None, known)

    lookups = [q["id"].split(",") for name, q in asked(http) if name == "videos"]
    assert [len(batch) for batch in lookups] == [50, 10] and sum(lookups, []) == known
    assert sorted(i for page in pull.pages for i in page.gone_ids) == known


def test_every_body_is_kept_as_served_without_the_key(recorded):
    served = [fixture("channels_by_handle.json"), one_video_playlist(), recorded(THREADS),
              recorded("comments__comments_by_parent_paged_1.json")]
    yt, _ = connect(*[answer(b) for b in served])

    pull = yt.pull(JANE, None)

    assert [b.body for b in pull.bodies] == served
    assert all(b.status == 200 and KEY not in b.request and "key=" not in b.request for b in pull.bodies)
    assert pull.bodies[0].request.startswith("GET https://youtube.googleapis.com/youtube/v3/channels?")
    assert [page.source for page in pull.pages] == pull.bodies[1:]


def test_comments_turned_off_skip_the_video_only(recorded):
    yt, http = connect(answer(fixture("channels_by_handle.json")), answer(fixture("playlist_items_p1.json")),
                       answer(fixture("error_comments_disabled.json"), 403), answer(recorded(THREADS)),
                       answer(recorded("comments__comments_by_parent_paged_2.json")), max_pages=1)

    pull = yt.pull(JANE, None)

    assert [q.get("videoId") for name, q in asked(http) if name == "commentThreads"] == ["F1UP7wRCPH8", "D-lhorsDlUQ"]
    assert not any(page.errors for page in pull.pages)
    assert [len(page.posts) for page in pull.pages] == [2, 5, 1]  # videos, the second one's threads, replies


def test_a_channel_without_uploads_is_empty_not_an_error():
    yt, _ = connect(answer(fixture("channels_by_handle.json")),
                    answer(fixture("error_playlist_not_found.json"), 404))

    pull = yt.pull(JANE, None)

    assert [page.posts for page in pull.pages] == [[]] and pull.requests == 2


def test_an_unknown_handle_is_not_found():
    yt, _ = connect(answer(fixture("channels_empty.json")))

    with pytest.raises(NotFound, match="no channel for @nobody"):
        yt.check(AccountRef("youtube", "@nobody"))


def test_a_configured_channel_id_is_asked_by_id():
    yt, http = connect(answer(fixture("channels_by_handle.json")))

    assert yt.check(AccountRef("youtube", "@janedoeleduc", CHANNEL)) == CHANNEL
    assert asked(http)[0][1]["id"] == CHANNEL and "forHandle" not in asked(http)[0][1]


def test_spent_quota_is_rate_limited_until_midnight_pacific_and_never_sleeps(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda s: pytest.fail(f"slept {s}s"))
    yt, _ = connect(answer(fixture("error_quota_exceeded.json"), 403))

    with pytest.raises(RateLimited) as caught:
        yt.pull(JANE, None)

    assert caught.value.reset_at == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)  # 00:00 PST
    assert caught.value.kind == "rate-limited" and "quotaExceeded" in str(caught.value)


def test_quota_spent_after_the_uploads_keeps_them_and_notes_the_skipped_check():
    yt, _ = connect(answer(fixture("channels_by_handle.json")), answer(one_video_playlist()),
                    answer(fixture("error_quota_exceeded.json"), 403))

    pull = yt.pull(JANE, None)

    assert [p.platform_id for p in pull.pages[0].posts] == ["F1UP7wRCPH8"]
    assert "was skipped" in pull.pages[-1].errors[0] and "quotaExceeded" in pull.pages[-1].errors[0]


def test_an_invalid_key_is_an_auth_error_naming_the_variable_not_the_key(recorded):
    recorded("error_response.json")  # skips where ../shared is absent
    http = HttpMock(str(PAYLOADS / "error_response.json"), {"status": "400"})  # the recording, read in place
    yt = youtube_connector(http, KEY)

    with pytest.raises(AuthError) as caught:
        yt.pull(JANE, None)

    assert "keyInvalid" in str(caught.value) and "YOUTUBE_API_KEY" in str(caught.value)
    assert KEY not in str(caught.value)


def test_a_refused_project_is_an_auth_error(recorded):
    yt, _ = connect(answer(recorded("error_permission_resp.json"), 403))

    with pytest.raises(AuthError, match="The caller does not have permission"):
        yt.pull(JANE, None)


@pytest.mark.parametrize("body", [fixture("error_backend.json"), "<html><h1>502 Bad Gateway</h1></html>"])
def test_server_errors_are_platform_errors(body):
    yt, _ = connect(answer(body, 503))

    with pytest.raises(PlatformError) as caught:
        yt.pull(JANE, None)

    assert type(caught.value) is PlatformError and caught.value.kind == "platform"


def test_an_html_answer_is_malformed():
    yt, _ = connect(answer("<!DOCTYPE html><p>Sorry</p>"))

    with pytest.raises(MalformedBody):
        yt.pull(JANE, None)


def test_a_timeout_is_an_unreachable_platform_error():
    class Stalled:
        def request(self, *args: Any, **kwargs: Any) -> Any:
            raise TimeoutError("timed out")

    yt = youtube_connector(Stalled(), KEY)

    with pytest.raises(PlatformError) as caught:
        yt.pull(JANE, None)

    assert caught.value.kind == "unreachable"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "auditor.yaml"
    path.write_text(f"council: {{name: Test council}}\npolicy: {ROOT / 'config' / 'policy.yaml'}\n"
                    "platforms: {youtube: {api_key_env: LEDUC_YT_KEY}}\n", encoding="utf-8")
    return load_settings(path)


def test_the_factory_needs_the_key_and_names_its_variable(settings):
    with pytest.raises(AuthError) as caught:
        make_youtube(settings, {})

    assert caught.value.account == "*" and "LEDUC_YT_KEY is not set" in str(caught.value)


def test_the_factory_builds_from_the_shipped_discovery_document_without_network(settings, monkeypatch):
    monkeypatch.setattr(httplib2.Http, "request", lambda *a, **k: pytest.fail("network used while building"))

    yt = make_youtube(settings, {"LEDUC_YT_KEY": KEY})

    assert yt.key_env == "LEDUC_YT_KEY" and yt.http.http.timeout == 30.0


def test_quota_reset_is_read_from_the_injected_clock():
    yt, _ = connect(answer(fixture("error_quota_exceeded.json"), 403))
    yt.clock = lambda: datetime(2026, 7, 1, 6, 59, tzinfo=UTC)  # 23:59 PDT

    with pytest.raises(RateLimited) as caught:
        yt.pull(JANE, None)

    assert caught.value.reset_at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert "in 60 s" in str(caught.value) and caught.value.reset_at - yt.clock() == timedelta(minutes=1)


def test_a_missing_sdk_fails_that_platform_only(monkeypatch):
    real = importlib.import_module

    def without_youtube(name: str, *args: Any) -> Any:
        if name == "connectors.youtube":
            raise ModuleNotFoundError("No module named 'googleapiclient'", name="googleapiclient")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_youtube)

    with pytest.raises(ConnectorError, match="googleapiclient package this connector needs is not installed"):
        registry.LIVE["youtube"](None, {})  # type: ignore[arg-type]
