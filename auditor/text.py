"""Normalising post text for matching, and mapping matches back to the original.

Matching runs on a folded copy of the text: compatibility forms unfolded (full-width letters,
ligatures), accents and case dropped, zero-width and control characters removed, look-alike
Cyrillic and Greek letters mapped to Latin. Every folded character remembers the index of the
original character it came from, so evidence is always quoted from what the councillor wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

# Letters that render like Latin ones; used to dodge keyword filters ("іn саmera").
CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ı": "i",
    # Typographic quotes as phones type them: "you’re wrong" is "you're wrong".
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
})
_DROP_CATEGORIES = {"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn"}
_WHITESPACE_CONTROLS = {"\n", "\r", "\t", "\v", "\f"}


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character the first time it is seen.

    Translation runs in C; only a character never seen before costs a Python call.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_TABLE = _FoldTable()


@dataclass(frozen=True)
class Folded:
    """Folded text; maps its spans back to the original text on demand."""

    original: str
    text: str
    one_to_one: bool  # each original character folded to exactly one character

    @cached_property
    def origin(self) -> tuple[int, ...]:
        # Only needed to quote a match, so built lazily: most posts match nothing.
        return tuple(i for i, ch in enumerate(self.original) for _ in range(len(_TABLE[ord(ch)])))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for a folded span."""
        if self.one_to_one:
            return start, end
        origin = self.origin
        if start >= len(origin):
            return len(self.original), len(self.original)
        return origin[start], origin[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in _WHITESPACE_CONTROLS:
        return " "
    if ch.isascii():
        return ch.lower() if ch.isprintable() else ""
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) in _DROP_CATEGORIES:
            continue
        out.append(part.casefold().translate(CONFUSABLES))
    return "".join(out)


def fold(text: str) -> Folded:
    if text.isascii() and text.isprintable():
        return Folded(text, text.lower(), True)
    return Folded(text, text.translate(_TABLE), False)


def _phrase_pattern(phrase: str) -> str:
    """`in camera` also matches `in-camera`, `in_camera`, `incamera`; `idiot*` matches `idiots`."""
    words = [w for w in re.split(r"[\s\-_]+", fold(phrase.strip()).text) if w]
    parts = []
    for word in words:
        stem = word.rstrip("*")
        pattern = re.escape(stem)
        if word.endswith("*"):
            pattern += r"\w*"
        parts.append(pattern)
    return r"[\W_]*".join(parts)


def _prefilter(phrases: list[str]) -> re.Pattern[str] | None:
    """A cheap pattern that every match of the phrases also matches: when it finds nothing,
    the full pattern need not run (most posts match no lexicon at all).

    A match starts at a word boundary with the phrase's first word, and contains each of its
    words verbatim (separators only come between words). So each phrase contributes either its
    first word, anchored at a word start, or its longest word anywhere: whichever is rarer,
    judged by length with a bonus for the anchor ("not public yet" is keyed on "public").
    """
    anchored, anywhere = set(), set()
    for phrase in phrases:
        words = [w.rstrip("*") for w in re.split(r"[\s\-_]+", fold(phrase.strip()).text) if w]
        longest = max(words, key=len)
        if len(words[0]) + 2 > len(longest) or len(words[0]) >= 6:
            anchored.add(words[0])
        else:
            anywhere.add(longest)
    parts = []
    if anchored:
        parts.append(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(anchored, key=len, reverse=True))) + ")")
    if anywhere:
        parts.append("|".join(map(re.escape, sorted(anywhere, key=len, reverse=True))))
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class Match:
    phrase: str  # the lexicon entry that matched
    start: int  # in the original text
    end: int
    quote: str  # the original text matched


class Lexicon:
    """A list of phrases compiled into one pattern, matched on folded text."""

    def __init__(self, phrases: Iterable[str]):
        self.phrases = [p for p in dict.fromkeys(p.strip() for p in phrases) if p]
        self._by_group: list[str] = []
        alternatives = []
        for index, phrase in enumerate(self.phrases):
            alternatives.append(f"(?P<p{index}>{_phrase_pattern(phrase)})")
            self._by_group.append(phrase)
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)") if alternatives else None
        )
        self._keys = _prefilter(self.phrases)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def search(self, folded: Folded) -> Match | None:
        for match in self.finditer(folded):
            return match
        return None

    def finditer(self, folded: Folded) -> Iterable[Match]:
        text = folded.text
        if self._pattern is None or self._keys is None or not self._keys.search(text):
            return
        for m in self._pattern.finditer(text):
            phrase = self._by_group[int(m.lastgroup[1:])] if m.lastgroup else m.group(0)
            a, b = folded.span(m.start(), m.end())
            yield Match(phrase, a, b, folded.original[a:b])


@lru_cache(maxsize=1024)
def lexicon(phrases: tuple[str, ...]) -> Lexicon:
    """A compiled lexicon, shared by every caller with the same phrases (meeting topics...)."""
    return Lexicon(phrases)


def excerpt(text: str, start: int, end: int, context: int = 60) -> str:
    """The matched text with a little context either side, on one line."""
    a, b = max(0, start - context), min(len(text), end + context)
    snippet = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + snippet + ("…" if b < len(text) else "")


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace (line breaks included) and cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
