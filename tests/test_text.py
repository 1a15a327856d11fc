"""Folding and matching: evasions are seen through, evidence comes from the original."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from auditor.engine.text import (
    Lexicon,
    Scanner,
    excerpt,
    fold,
    in_link,
    one_line,
    phrase_keys,
    scattered,
    sentence,
)
from auditor.engine.text.fold import _fold_char


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


def test_a_lone_star_stands_for_one_word_or_none() -> None:
    lexicon = Lexicon(["council * voted"])
    for text in ["Council voted 5-2", "council just voted", "council, today, voted", "councilvoted"]:
        assert lexicon.search(fold(text)) is not None, text
    for text in ["council has unanimously voted", "council revoted", "the councillor voted"]:
        assert lexicon.search(fold(text)) is None, text


def test_where_phrases_overlap_the_longest_is_taken() -> None:
    match = Lexicon(["leduc county", "leduc county council"]).search(fold("Leduc County Council voted"))
    assert match is not None and match.phrase == "leduc county council"


def test_phrase_keys_mark_whole_words_and_glued_spellings() -> None:
    assert phrase_keys("grow up") == {"grow$", "growup$"}
    assert phrase_keys("in camera") == {"camera$", "incamera$"}
    assert phrase_keys("idiot*") == {"idiot"}, "a * ending is a prefix"
    assert phrase_keys("f*ck") == {"ck$"}, "runs after a symbol start a word of their own"
    assert phrase_keys("\U0001F910") is None, "nothing to look for in an emoji"


def test_the_scan_rules_out_texts_without_saying_anything_wrong() -> None:
    """A lexicon's cheap first question (`may_match`) never says no where the full pattern matches:
    random spellings of every policy phrase (glued, hyphenated, zero-width, look-alike letters,
    star endings, neighbouring letters and symbols) and real sentences, with and without a scan."""
    from auditor.config.policy import load_policy

    policy = load_policy(Path(__file__).resolve().parents[1] / "config" / "policy.yaml")
    lists = [value for params in policy.params.values() for _, value in params if isinstance(value, list)]
    lists.append(["follow @cityofleduc", "leduc.ca", "land acquisition on 50 Street", "\u00e0 huis clos",
                  "smørrebrød", ":-)", "\U0001F910", "council * voted", "idiot* people"])
    lexicons = [Lexicon(words) for words in lists]
    scan = Scanner(set().union(*(lexicon.keys for lexicon in lexicons if lexicon.keys)))
    rng = random.Random(11)
    separators = ["", " ", "-", "_", "  ", "\u200b", ".", "_-", "'", "@", " just ", "\n"]
    phrases = [phrase for words in lists for phrase in words]
    texts = ["Council voted 5-2 tonight.", "What we heard in c\u0430mera…", "growth in the go-ahead economy"]
    for _ in range(4000):
        phrase = rng.choice(phrases).replace("*", rng.choice(["", "s", "ic"]))
        glued = "".join(word + rng.choice(separators) for word in phrase.split())
        texts.append(rng.choice(["", "Hi ", "x", "_", "(", "\u00e9", "ø", "#"]) + glued
                     + rng.choice(["", " ", "s", "_", "!", "\u00e9", "ly"]))
    for text in texts:
        plain, scanned = fold(text), fold(text, scan)
        for lexicon in lexicons:
            everything = list(lexicon._pattern.finditer(plain.text)) if lexicon._pattern else []
            if everything:
                assert lexicon.may_match(plain) and lexicon.may_match(scanned), (text, lexicon.phrases[:3])
            assert [(m.phrase, m.start, m.end) for m in lexicon.finditer(scanned)] == \
                   [(m.phrase, m.start, m.end) for m in lexicon.finditer(plain)]


def test_a_whole_word_key_keeps_longer_words_out() -> None:
    lexicon = Lexicon(["grow up", "is a go"])
    scan = Scanner(lexicon.keys or ())
    assert not lexicon.may_match(fold("Growth is good, going forward.", scan))
    assert lexicon.may_match(fold("Please grow-up.", scan))


def test_folding_is_the_same_character_by_character_however_it_is_done() -> None:
    texts = ["plain ascii", "Tabs\tand\nlines", "caf\u00e9 \u2019quotes\u2019 \U0001F44D\U0001F3FD \u2764\ufe0f",
             "\u13a0\u13a1 Cherokee", "\u0130stanbul \u03a3\u03c3", "\uff49\uff4e \u0441\u0430mera\u200b", "\x00\x7f"]
    for text in texts:
        folded = fold(text)
        assert folded.text == "".join(_fold_char(ch) for ch in text)
        assert len(folded.origin) == len(folded.text)
        assert all(text[folded.origin[i]] for i in range(len(folded.text)))


def test_evidence_maps_back_past_dropped_emoji_selectors() -> None:
    original = "\u2764\ufe0f Council voted tonight"
    match = Lexicon(["council voted"]).search(fold(original))
    assert match is not None and match.quote == "Council voted"


def test_sentences_links_and_scattered_words() -> None:
    text = "Budget is up 2.9% (see leduc.ca/budget). The skatepark at Lede Park is next! Done"
    assert text[slice(*sentence(text, 0, 6))] == "Budget is up 2.9% (see leduc.ca/budget)"
    link = Lexicon(["budget"]).finditer(fold(text))[1]
    assert in_link(text, link) and not in_link(text, Lexicon(["budget"]).finditer(fold(text))[0])
    found = scattered(fold(text), "Lede Park skatepark")
    assert found is not None and found.quote == "skatepark at Lede Park"
    assert scattered(fold("The skatepark opened. Lede Park is busy."), "Lede Park skatepark") is None
