"""Folding post text for matching, and mapping folded positions back to the original.

Matching runs on a folded copy of the text: compatibility forms unfolded (full-width letters,
ligatures), accents and case dropped, zero-width and control characters removed, look-alike
Cyrillic and Greek letters mapped to Latin. Every folded character remembers the index of the
original character it came from, so evidence is always quoted from what the councillor wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.engine.text.lexicon import Scanner

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
_SPECIAL = re.compile(r"[^\x20-\x7e]+")  # runs of anything but printable ASCII


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character the first time it is seen.

    Translation runs in C; only a character never seen before costs a Python call.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_TABLE = _FoldTable()


_NOTHING: frozenset[str] = frozenset()  # shared by the scanner (lexicon.py)


class Folded:
    """Folded text; maps its spans back to the original text on demand.

    `keys` is what `scanner` found in it (nothing, without a scanner), shared by every lexicon.
    One per post in an audit, so it is kept small: slots, and shared empty key sets.
    """

    __slots__ = ("original", "text", "one_to_one", "scanner", "keys", "_origin")

    def __init__(self, original: str, text: str, one_to_one: bool, scanner: Scanner | None = None,
                 keys: frozenset[str] = _NOTHING):
        self.original = original
        self.text = text
        self.one_to_one = one_to_one  # each original character folded to exactly one character
        self.scanner = scanner
        self.keys = keys
        self._origin: Sequence[int] | None = None

    def __repr__(self) -> str:
        return f"Folded({self.original!r}, {self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Folded) and (self.original, self.text) == (other.original, other.text)

    def __hash__(self) -> int:
        return hash((self.original, self.text))

    @property
    def origin(self) -> Sequence[int]:
        # Only needed to quote a match, so built lazily: most posts match nothing. Each original
        # character's index, repeated as many times as it has folded characters (0 to several).
        if self._origin is None:
            lengths = list(map(len, map(_TABLE.__getitem__, map(ord, self.original))))
            if all(n == 1 for n in lengths):
                self._origin = range(len(lengths))
            else:
                self._origin = tuple(chain.from_iterable(map(repeat, range(len(lengths)), lengths)))
        return self._origin

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
    # `lower()` as well: casefolding leaves a few scripts (Cherokee) in upper case, and `fold`
    # relies on every folded character being its own lower case.
    return "".join(out).lower()


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_TABLE)


_ASCII_CONTROLS = str.maketrans({chr(c): _fold_char(chr(c)) for c in [*range(32), 127]})


def fold(text: str, scanner: Scanner | None = None) -> Folded:
    """Fold `text`; with a scanner, also find which of its keys the text holds."""
    if text.isascii():
        folded = text.lower()
        if not folded.isprintable():
            # Line breaks and tabs become spaces, other controls go: an ASCII-only translation.
            folded = folded.translate(_ASCII_CONTROLS)
        one_to_one = len(folded) == len(text)
    else:
        # Only the runs outside printable ASCII need the table; the rest is a C `lower()`.
        # Equal to translating every character: each folded character is its own lower case.
        folded, one_to_one = _SPECIAL.sub(_fold_run, text).lower(), False
    if scanner is None:
        return Folded(text, folded, one_to_one)
    return Folded(text, folded, one_to_one, scanner, scanner.scan(folded))
