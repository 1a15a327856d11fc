"""Seeing through words written to dodge a filter: "f*ck", "id10t", "Tabarn@k", "s t u p i d",
"stuuupid".

`Unmasker(words)` knows a vocabulary (the single words of a rule's lists, `idiot*` meaning any
ending). `unmask(folded)` returns a copy of a folded text in which every masked spelling of one
of those words is written out, or None when the text holds none. A masked spelling is replaced
only where it spells a word of the vocabulary, so "covid19", "2pm", "B.C." or "a@b.ca" stay as
they are. Each character of the copy remembers the original character it stands for, so a match
found in it is quoted from what the councillor wrote ("f*cking", not "fucking").

Masks seen through: `*` for one letter (a run of them for as many letters), digits and signs for
look-alike letters (0 o, 1 i/l, 3 e, 4 @ a, 5 $ s, 7 t, ! | i/l), letters spaced or dotted apart
("s t u p i d", "s.t.u.p.i.d"), and a letter repeated three times or more ("stuuupid").

The test `may_hide(folded)` is one fast regular expression: run `unmask` only where it says
yes. It looks for masks and spaced letters, not for repeated letters (a search for those costs
as much as the rest of the tone rule): "stuuupid" is written out only in a post that `may_hide`
lets through for another reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from auditor.engine.text.fold import Folded, fold

# What a masking character may stand for.
_LOOKALIKE: dict[str, str] = {
    "0": "o", "1": "il", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t", "!": "il", "|": "il",
    "*": "abcdefghijklmnopqrstuvwxyz",
}
_MASKS = "".join(re.escape(c) for c in _LOOKALIKE)
# A word with a mask inside or against a letter ("f*ck", "id10t", "sh!t", "@ss"): one run of letters
# and masks. A trailing "!" or "*" is punctuation or emphasis, not a mask ("stupid!", "*stupid*").
_MASKED = re.compile(rf"(?<![a-z0-9])[a-z{_MASKS}]*(?:[a-z][{_MASKS}]|[{_MASKS}][a-z])[a-z{_MASKS}]*")
_SPACED = re.compile(r"(?<![a-z0-9])[a-z](?:(?:[ .\-_]|\. ){1,2}[a-z]){3,}(?![a-z0-9])")
_REPEATED = re.compile(r"([a-z])\1\1")
# Where a masked word may stand, found fast (each alternative opens with a character class or a
# literal): a mask before a letter ("f*ck", "id10t", "$hit"), two stars ("sh**"), letters
# spaced apart (" s t u p i d"). `may_hide` then looks at the character before a mask.
_MASK_CHARS = frozenset(_LOOKALIKE)
_GATE = re.compile(r"[*@$!|0-9][a-z]|\*\*| [a-z][ .\-_][a-z][ .\-_][a-z][ .\-_]")


def may_hide(folded: Folded) -> bool:
    """Could the text hold a masked word? (Cheap; False for most posts.) Links and handles
    ("t.co/aB3x", "@ab12c") are not words."""
    text = folded.text
    for m in _GATE.finditer(text):
        at = m.start()
        if text[at] == " ":
            return True
        before = at - 1
        while before >= 0 and text[before] in _MASK_CHARS:
            before -= 1
        if not (before >= 0 and text[before].isalpha()) and text[at] != "$":
            continue  # "2pm", "@handle", "!great": no letter before the mask
        start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
        end = text.find(" ", at)
        token = text[start:end if end >= 0 else len(text)]
        if "/" not in token and not token.startswith("@") and "www." not in token:
            return True
    return False


class Unmasker:
    """Writes out masked spellings of a vocabulary's words (see the module's docstring)."""

    def __init__(self, words: Iterable[str]):
        exact: set[str] = set()
        prefixes: set[str] = set()
        for word in words:
            for part in fold(word).text.split():
                stem = part.rstrip("*")
                if len(stem) >= 3 and stem.isalpha():  # "bs" or "a**" would match too much
                    (prefixes if part.endswith("*") else exact).add(stem)
        self._exact = frozenset(exact)
        self._prefixes = tuple(sorted(prefixes))
        # By length and first letter: a masked word is compared with a handful of stems.
        self._by_length: dict[tuple[int, str], list[str]] = {}
        self._by_first: dict[str, list[str]] = {}
        for stem in sorted(exact):
            self._by_length.setdefault((len(stem), stem[0]), []).append(stem)
        for stem in self._prefixes:
            self._by_first.setdefault(stem[0], []).append(stem)

    def _word_for(self, shape: list[str]) -> str | None:
        """The vocabulary word the shape spells (one set of possible letters per character)."""
        def fits(stem: str) -> bool:
            return all(ch in allowed for ch, allowed in zip(stem, shape, strict=False))

        for first in shape[0]:
            for stem in self._by_length.get((len(shape), first), ()):
                if fits(stem):
                    return stem
        for stem in (s for first in shape[0] for s in self._by_first.get(first, ())):
            if len(stem) <= len(shape) and fits(stem):
                # The rest of the word: its letters, or a guess for a mask after the stem.
                return stem + "".join(s if len(s) == 1 else s[0] for s in shape[len(stem):])
        return None

    def _known(self, word: str) -> bool:
        return word in self._exact or any(word.startswith(p) for p in self._prefixes)

    def unmask(self, folded: Folded) -> Folded | None:
        text = folded.text
        # (start, end, replacement, the folded index each replacement character stands for)
        edits: list[tuple[int, int, str, list[int]]] = []
        for m in _MASKED.finditer(text):
            token, start = m.group(), m.start()
            while token and token[-1] in "!*":  # emphasis or punctuation
                token = token[:-1]
            while token and token[0] == "*":
                token, start = token[1:], start + 1
            if len(token) < 3 or token.isalpha() or sum(c.isalpha() for c in token) < 2:
                continue
            word = self._word_for([_LOOKALIKE.get(c, c) for c in token])
            if word is not None:
                edits.append((start, start + len(token), word, list(range(start, start + len(token)))))
        for m in _SPACED.finditer(text):
            letters = [i for i in range(m.start(), m.end()) if text[i].isalpha()]
            word = "".join(text[i] for i in letters)
            if self._known(word):
                edits.append((m.start(), m.end(), word, letters))
        if _REPEATED.search(text):
            for m in re.finditer(r"(?<![a-z0-9])[a-z]+", text):
                if not _REPEATED.search(m.group()):
                    continue
                kept = [i for i in range(m.start(), m.end())
                        if i - m.start() < 2 or not text[i] == text[i - 1] == text[i - 2]]
                for keep in (kept, [i for i in kept if i == m.start() or text[i] != text[i - 1]]):
                    word = "".join(text[i] for i in keep)
                    if self._known(word):
                        edits.append((m.start(), m.end(), word, keep))
                        break
        if not edits:
            return None
        edits.sort()
        origin = folded.origin
        out: list[str] = []
        where: list[int] = []
        at = 0
        for start, end, word, sources in edits:
            if start < at:
                continue  # overlapping spellings: the first one wins
            out.append(text[at:start])
            where.extend(origin[i] for i in range(at, start))
            out.append(word)
            where.extend(origin[i] for i in sources)
            at = end
        out.append(text[at:])
        where.extend(origin[i] for i in range(at, len(text)))
        unmasked = Folded(folded.original, "".join(out), one_to_one=False)
        unmasked._origin = tuple(where)  # each character of the copy: its original character
        return unmasked
