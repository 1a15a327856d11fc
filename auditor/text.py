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
from functools import lru_cache

# Letters that render like Latin ones; used to dodge keyword filters ("іn саmera").
CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ı": "i",
})
_DROP_CATEGORIES = {"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn"}
_WHITESPACE_CONTROLS = {"\n", "\r", "\t", "\v", "\f"}


@dataclass(frozen=True)
class Folded:
    """Folded text plus, for each of its characters, the index of the original character."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: one to one (plain ASCII)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for a folded span."""
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return len(self.original), len(self.original)
        return self.origin[start], self.origin[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _WHITESPACE_CONTROLS:
        return " "
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) in _DROP_CATEGORIES:
            continue
        out.append(part.casefold().translate(CONFUSABLES))
    return "".join(out)


def fold(text: str) -> Folded:
    if text.isascii() and text.isprintable():
        return Folded(text, text.lower(), None)
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = ch.lower() if ch.isascii() and ch.isprintable() else _fold_char(ch)
        for piece in folded:
            chars.append(piece)
            origin.append(index)
    return Folded(text, "".join(chars), tuple(origin))


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

    def __bool__(self) -> bool:
        return self._pattern is not None

    def search(self, folded: Folded) -> Match | None:
        for match in self.finditer(folded):
            return match
        return None

    def finditer(self, folded: Folded) -> Iterable[Match]:
        if self._pattern is None:
            return
        for m in self._pattern.finditer(folded.text):
            phrase = self._by_group[int(m.lastgroup[1:])] if m.lastgroup else m.group(0)
            a, b = folded.span(m.start(), m.end())
            yield Match(phrase, a, b, folded.original[a:b])


def excerpt(text: str, start: int, end: int, context: int = 60) -> str:
    """The matched text with a little context either side, on one line."""
    a, b = max(0, start - context), min(len(text), end + context)
    snippet = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + snippet + ("…" if b < len(text) else "")


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace (line breaks included) and cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
