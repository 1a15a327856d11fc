"""YouTube Data API v3 bodies -> posts (pure): the real python-youtube recordings read in place
from ../shared, documented-format bodies in tests/fixtures/youtube, and the replay layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.records import AccountRef
from connectors.errors import AuthError, MalformedBody, RateLimited
from connectors.replay import ReplayConnector
from connectors.youtube_parse import parse_youtube_page, uploads_playlist, youtube_profile

PAYLOADS = Path(__file__).resolve().parents[2] / "shared" / "payloads" / "youtube" / "python-youtube"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "youtube"
CHANNEL = "UCJaneDoeLeducCouncil001"
JANE = AccountRef("youtube", "@janedoeleduc", CHANNEL)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(name: str) -> dict:
    path = PAYLOADS / name
    if not path.is_file():
        pytest.skip(f"recorded payload not found at {path} (checkout of ../shared missing)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_recorded_comment_threads_are_comments_on_their_video():
    body = recorded("comment_threads__comment_threads_by_video_paged_1.json")

    page = parse_youtube_page(body, JANE)

    assert [p.platform_id for p in page.posts] == [t["id"] for t in body["items"]]
    assert {(p.kind, p.parent_id, p.conversation_id) for p in page.posts} == {("comment", "F1UP7wRCPH8", "F1UP7wRCPH8")}
    first = page.posts[0]
    assert first.text == "Google.com"  # textOriginal, not the HTML of textDisplay
    assert first.url == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg"
    assert first.created_at.isoformat() == "2019-11-26T15:51:44+00:00" and first.updated_at is None
    assert page.next_cursor == body["nextPageToken"] and page.newest_id is None


def test_text_display_html_is_rendered_when_there_is_no_text_original():
    body = recorded("comment_threads__comment_thread_single.json")
    for item in body["items"]:
        del item["snippet"]["topLevelComment"]["snippet"]["textOriginal"]

    post, = parse_youtube_page(body, JANE).posts

    assert post.text.startswith("Super video !!!\nWith full power skil")
    assert "<br" not in post.text and "&" not in post.text.replace("&amp;", "")


def test_recorded_replies_by_parent_are_replies_to_the_thread():
    body = recorded("comments__comments_by_parent_paged_1.json")

    page = parse_youtube_page(body, JANE, video_id="F1UP7wRCPH8")

    assert [(p.kind, p.parent_id) for p in page.posts] == [("reply", "Ugw5zYU6n9pmIgAZWvN4AaABAg")] * 2
    assert page.posts[0].text == "this is the third reply!"
    assert page.posts[0].url.startswith("https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=Ugw5zYU6n9pmIgAZWvN4AaABAg.")


def test_the_channels_own_reply_is_the_channels():
    posts = {p.platform_id: p for p in parse_youtube_page(fixture("comment_threads_council.json"), JANE).posts}

    own = posts["UgzResidentQuestion00AaABAg.9zJaneAnswer01"]
    assert own.author_id == CHANNEL and own.author_handle == "@janedoeleduc".lstrip("@")
    resident = posts["UgzResidentQuestion00AaABAg"]
    assert resident.author_handle == "resident_a" and resident.author_name == "@resident_a"


def test_uploads_are_posts_newest_time_is_the_cursor_and_private_ones_are_skipped():
    page = parse_youtube_page(fixture("playlist_items_p1.json"), AccountRef("youtube", "@janedoeleduc"))

    assert [p.platform_id for p in page.posts] == ["F1UP7wRCPH8", "D-lhorsDlUQ"]
    assert page.newest_id == "2026-11-17T18:30:00+00:00" and page.next_cursor == "EAAaBlBUOkNBSQ"
    assert page.account_id == CHANNEL  # the uploads reveal the channel id
    assert page.posts[1].text == "Library expansion open house"  # no description: the title alone


def test_a_video_lookup_never_moves_the_cursor():
    page = parse_youtube_page(fixture("videos_lookup.json"), JANE)

    assert page.newest_id is None and page.posts[0].text.startswith("Library expansion open house (edited)")


def test_the_channel_body_gives_id_uploads_and_description():
    body = fixture("channels_by_handle.json")
    account = AccountRef("youtube", "@janedoeleduc")

    assert parse_youtube_page(body, account).account_id == CHANNEL
    assert uploads_playlist(body) == (CHANNEL, "UUJaneDoeLeducCouncil001")
    assert youtube_profile(body, account) == "Councillor for Ward 3, City of Leduc. Views are my own."


def test_recorded_error_bodies_are_typed():
    with pytest.raises(AuthError, match="keyInvalid"):
        parse_youtube_page(recorded("error_response.json"), JANE)
    with pytest.raises(AuthError, match="PERMISSION_DENIED|SERVICE_UNAVAILABLE"):
        parse_youtube_page(recorded("error_permission_resp.json"), JANE)
    with pytest.raises(RateLimited):
        parse_youtube_page(fixture("error_quota_exceeded.json"), JANE)


@pytest.mark.parametrize("body", [[], {"kind": "youtube#searchListResponse", "items": [{"id": "x"}]},
                                  {"items": "nope"}])
def test_other_shapes_are_malformed(body):
    with pytest.raises(MalformedBody):
        parse_youtube_page(body, JANE)


def test_replay_reads_a_youtube_folder(tmp_path):
    folder = tmp_path / "youtube" / "@janedoeleduc"
    folder.mkdir(parents=True)
    for number, name in enumerate(["channels_by_handle.json", "playlist_items_p1.json",
                                   "comment_threads_council.json"]):
        (folder / f"{number:03d}-{name}").write_bytes((FIXTURES / name).read_bytes())
    account = AccountRef("youtube", "@janedoeleduc")

    pull = ReplayConnector("youtube", tmp_path).pull(account, None)

    assert pull.profile == "Councillor for Ward 3, City of Leduc. Views are my own."
    assert [len(p.posts) for p in pull.pages] == [0, 2, 4]
    own = next(p for p in pull.pages[2].posts if p.author_id == CHANNEL)
    assert own.author_handle == "janedoeleduc"  # the channel id, learnt from the first body, places it
    assert ReplayConnector("youtube", tmp_path).check(account) == CHANNEL
