"""Mastodon bodies -> posts (pure): recorded statuses from halcy/Mastodon.py's cassettes (read in
place from ../shared), documented-format bodies in tests/fixtures/mastodon, and the replay
folder layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from auditor.records import AccountRef
from connectors.errors import MalformedBody, NotFound
from connectors.mastodon_parse import html_to_text, mastodon_profile, parse_mastodon_page
from connectors.replay import ReplayConnector

CASSETTES = Path(__file__).resolve().parents[2] / "shared" / "payloads" / "mastodon" / "halcy_Mastodon.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mastodon"
JANE = AccountRef("mastodon", "jane")


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_bodies(name: str) -> list[str]:
    path = CASSETTES / name
    if not path.is_file():
        pytest.skip(f"recorded cassette not found at {path} (checkout of ../shared missing)")
    return [i["response"]["body"]["string"] for i in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]]


@pytest.mark.parametrize(("html", "text"), [
    ("<p>Toot number 9!</p>", "Toot number 9!"),
    ("<p>One<br>two<br />three</p><p>Next paragraph</p>", "One\ntwo\nthree\n\nNext paragraph"),
    ("<p>Tom &amp; Jerry &lt;3 &#39;quoted&#39; caf&eacute;</p>", "Tom & Jerry <3 'quoted' café"),
    ('<p><a href="https://www.leduc.ca/a-very-long-path"><span class="invisible">https://www.</span>'
     '<span class="ellipsis">leduc.ca/a-very-lo</span><span class="invisible">ng-path</span></a></p>',
     "https://www.leduc.ca/a-very-long-path"),
    ('<p><span class="h-card"><a href="https://x.example/@mark" class="u-url mention">@<span>mark</span></a>'
     "</span> hi</p>", "@mark hi"),
    ("<p>safe</p><script>alert(1)</script><style>p{}</style>", "safe"),
    ("no markup at all, kept as is  ", "no markup at all, kept as is  "),
])
def test_html_becomes_faithful_plain_text(html, text):
    assert html_to_text(html) == text


def test_recorded_statuses_parse_in_order_with_text_and_raw_html():
    body = recorded_bodies("test_fetch_next_previous.yaml")
    statuses = next(json.loads(b) for b in body if b.startswith("[") and "Toot number 9" in b)
    account = AccountRef("mastodon", "mastodonpy_test")

    page = parse_mastodon_page(statuses, account)

    assert [p.platform_id for p in page.posts] == [s["id"] for s in statuses]
    assert [p.text for p in page.posts] == [f"Toot number {n}!" for n in range(9, 4, -1)]
    assert page.posts[0].raw == statuses[0]  # the status as received, HTML and all
    assert page.newest_id == "117020580518794573" and page.account_id == "117020565966271181"
    assert page.posts[0].url == "http://localhost:3000/@mastodonpy_test/117020580518794573"
    assert page.posts[0].created_at.isoformat() == "2026-08-01T13:52:34.108000+00:00"


def test_a_recorded_reply_has_its_parent_and_readable_mention():
    reply = next(json.loads(b) for b in recorded_bodies("test_status_reply.yaml")
                 if '"in_reply_to_id":"' in b)

    post, = parse_mastodon_page(reply, AccountRef("mastodon", "mastodonpy_test_2")).posts

    assert post.kind == "reply" and post.parent_id == reply["in_reply_to_id"]
    assert post.text == "@mastodonpy_test_2 same!" and post.author_handle == "admin"


def test_a_recorded_404_body_replays_as_not_found():
    missing = json.loads(recorded_bodies("test_status_missing.yaml")[0])

    with pytest.raises(NotFound):
        parse_mastodon_page(missing, JANE)


def test_a_boost_is_the_accounts_repost_and_keeps_the_boosted_status():
    page = parse_mastodon_page(fixture("statuses_p1.json"), JANE)

    repost, original = page.posts[:2]
    assert (repost.kind, repost.platform_id, repost.author_id) == ("repost", "113500000000000090",
                                                                    "109876543210000001")
    assert repost.parent_id == original.platform_id and original.author_handle == "cityofleduc"
    assert repost.text == "RT @cityofleduc: Boil water advisory for the north end. Updates: https://www.leduc.ca/water"
    assert repost.url == original.url  # a boost has no page of its own


def test_a_content_warning_leads_the_text():
    cw = next(p for p in parse_mastodon_page(fixture("statuses_p1.json"), JANE).posts
              if p.platform_id == "113500000000000040")

    assert cw.text == "Budget talk\n\nBudget numbers are in. Thread below."


def test_an_edit_carries_its_time():
    post, = parse_mastodon_page(fixture("status_edited.json"), JANE).posts

    assert post.updated_at is not None and post.updated_at.isoformat() == "2026-11-18T09:00:00+00:00"


def test_context_and_single_statuses_never_move_the_cursor():
    assert parse_mastodon_page(fixture("context_open_house.json"), JANE).newest_id is None
    assert parse_mastodon_page(fixture("status_edited.json"), JANE).newest_id is None


def test_the_account_object_gives_the_id_and_the_bio_as_text():
    account = fixture("account_lookup.json")

    assert parse_mastodon_page(account, JANE).account_id == "109876543210000001"
    assert mastodon_profile(account, JANE) == "Councillor, Ward 3 & proud Leducer.\nViews are my own."
    assert mastodon_profile(account, AccountRef("mastodon", "someone.else")) is None


@pytest.mark.parametrize("body", ["just text", {"unexpected": True}, [{"id": "1"}]])
def test_bodies_of_another_shape_are_malformed(body):
    with pytest.raises(MalformedBody):
        parse_mastodon_page(body, JANE)


def test_replay_reads_a_mastodon_folder(tmp_path):
    folder = tmp_path / "mastodon" / "jane"
    folder.mkdir(parents=True)
    for name in ("account_lookup.json", "statuses_p1.json", "context_open_house.json"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())

    pull = ReplayConnector("mastodon", tmp_path).pull(JANE, None)

    assert pull.profile == "Councillor, Ward 3 & proud Leducer.\nViews are my own."
    assert [len(p.posts) for p in pull.pages] == [0, 2, 5]  # account, context, statuses (name order)
    assert pull.pages[2].newest_id == "113500000000000090"
    assert ReplayConnector("mastodon", tmp_path).check(JANE) == "109876543210000001"
