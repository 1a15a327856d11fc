"""Sentences, words and links in post text, and short excerpts of it for people to read."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from auditor.engine.text.fold import Folded
from auditor.engine.text.lexicon import Match, lexicon, words_of

# Where a sentence ends: . ! ? … followed by a space or the end, or a line break. "2.9%" and
# "leduc.ca" do not end one.
_SENTENCE_END = re.compile(r"[.!?\u2026]+(?=\s|$)|\n")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@lru_cache(maxsize=256)
def _sentence_ends(text: str) -> tuple[list[int], list[int]]:
    marks = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
    return [b for _, b in marks], [a for a, _ in marks]


def sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence of `text` around `text[start:end]`."""
    ends, starts = _sentence_ends(text)
    before = bisect_right(ends, start) - 1
    after = bisect_left(starts, end)
    return (ends[before] if before >= 0 else 0), (starts[after] if after < len(starts) else len(text))


# A bare address starts at a word's start (not after a letter, nor after "x."), and its parts are
# possessive: one long word followed by "." was quadratic (40,000 characters took 40 s); linear now.
_LINK = re.compile(r"(?:https?://|www\.)\S+|(?<![\w-])(?<![\w-]\.)[\w-]++(?:\.[\w-]++)++/\S*", re.IGNORECASE)


@lru_cache(maxsize=256)
def _links(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _LINK.finditer(text)) if "." in text else ()


def in_link(text: str, match: Match) -> bool:
    """Is the match part of a web address ("leduc.ca/huis-clos")? A link's words are not said."""
    # Links do not overlap and come in order: only the last one starting at or before the match
    # can hold it (a scan of every link was quadratic on a post of many links and matches).
    links = _links(text)
    i = bisect_right(links, (match.start, len(text) + 1)) - 1
    return i >= 0 and links[i][0] <= match.start and match.end <= links[i][1]


def same_sentence(text: str, a: Match, b: Match) -> bool:
    first, second = (a, b) if a.start <= b.start else (b, a)
    s, e = sentence(text, first.start, first.end)
    return second.start < e and second.start >= s


def word_count(text: str, start: int = 0, end: int | None = None) -> int:
    return len(_WORD.findall(text, start, len(text) if end is None else end))


def words_apart(text: str, a: Match, b: Match) -> int:
    """How many words stand between two matches (0: adjacent or overlapping)."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    if second.start <= first.end:
        return 0
    return len(_WORD.findall(text, first.end, second.start))


@lru_cache(maxsize=1024)
def scattered(folded: Folded, phrase: str) -> Match | None:
    """The phrase's telling words all in one sentence, in any order: "the skatepark at Lede Park"
    for "Lede Park skatepark". The match spans them, quoted from the original."""
    words = words_of(phrase)
    if len(words) < 2:
        return None
    found = list(lexicon(words).finditer(folded))
    if len({m.phrase for m in found}) < len(words):
        return None
    text = folded.original
    for first in found:
        start, end = sentence(text, first.start, first.end)
        inside = [m for m in found if start <= m.start < end]
        if len({m.phrase for m in inside}) == len(words):
            a, b = min(m.start for m in inside), max(m.end for m in inside)
            return Match(phrase, a, b, text[a:b])
    return None


def excerpt(text: str, start: int, end: int, context: int = 60) -> str:
    """The matched text with a little context either side, on one line."""
    a, b = max(0, start - context), min(len(text), end + context)
    snippet = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + snippet + ("…" if b < len(text) else "")


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace (line breaks included) and cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
