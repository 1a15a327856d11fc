"""Folding and matching: evasions are seen through, evidence comes from the original."""

from __future__ import annotations

import pytest

from auditor.text import Lexicon, excerpt, fold, one_line


@pytest.mark.parametrize(
    "written",
    ["in camera", "IN CAMERA", "in-camera", "in_camera", "incamera", "in  camera", "in\u200bcamera",
     "іn саmera", "ｉｎ ｃａｍｅｒａ", "in\u00adcamera", "ín cámera", "in\ncamera"],
)
def test_in_camera_is_found_however_it_is_written(written: str) -> None:
    match = Lexicon(["in camera"]).search(fold(f"After the {written} session, we agreed."))
    assert match is not None
    assert match.quote.replace("\n", " ").strip() != ""
    assert f"After the {written} session".find(match.quote) >= 0, "the quote is a slice of the original"


@pytest.mark.parametrize("text", ["income rate", "camerata", "in the camera shop", "maincamera"])
def test_words_that_merely_contain_the_phrase_do_not_match(text: str) -> None:
    assert Lexicon(["in camera"]).search(fold(text)) is None


def test_a_star_matches_any_ending_only_at_the_end() -> None:
    lexicon = Lexicon(["idiot*"])
    assert lexicon.search(fold("what idiots")).quote == "idiots"
    assert lexicon.search(fold("semi-idiotic")).quote == "idiotic"
    assert lexicon.search(fold("radiotelescope")) is None


def test_evidence_spans_map_back_through_expanding_characters() -> None:
    original = "ﬁnal vote: ｃｏｕｎｃｉｌ voted"  # a ligature and full-width letters change length when folded
    match = Lexicon(["council voted"]).search(fold(original))
    assert match.quote == "ｃｏｕｎｃｉｌ voted"
    assert original[match.start:match.end] == match.quote


def test_emoji_and_right_to_left_text_pass_through_unharmed() -> None:
    text = "Great night \U0001F44D\U0001F3FD \u0645\u0631\u062d\u0628\u0627 council voted to approve"
    match = Lexicon(["council voted"]).search(fold(text))
    assert match.quote == "council voted"


def test_excerpt_and_one_line_flatten_line_breaks() -> None:
    assert "\n" not in excerpt("a\nb\nc" * 50, 10, 12)
    assert one_line("a\r\nb", 10) == "a b"
    assert len(one_line("x" * 500, 100)) == 100


def test_curly_apostrophes_typed_on_phones_match_straight_ones() -> None:
    match = Lexicon(["you're wrong"]).search(fold("No, you\u2019re wrong about the budget."))
    assert match is not None and match.quote == "you\u2019re wrong"
