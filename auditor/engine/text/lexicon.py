"""Lexicons: phrase lists compiled to one pattern each, and the scanner that skips most posts.

Speed: most posts match no lexicon at all, so a lexicon first asks a cheap question that every
match implies, "does one of my keys start a word here?", before its full pattern runs. A
`Scanner` answers that question, in one pass over a post, for all the lexicons the rules try on
most posts (`AuditContext.prepare`); any other lexicon asks its own small scanner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from auditor.engine.text.fold import _NOTHING, Folded, fold


def _words(phrase: str) -> list[str]:
    return [w for w in re.split(r"[\s\-_]+", fold(phrase.strip()).text) if w]


_ANY_WORD = "*"  # a phrase's word that is a lone *: any one word, or none ("council * voted")


def _phrase_pattern(phrase: str) -> str:
    """`in camera` also matches `in-camera`, `in_camera`, `incamera`; `idiot*` matches `idiots`;
    `council * voted` matches `council voted` and `council unanimously voted`."""
    words = _words(phrase)
    if all(w == _ANY_WORD for w in words):
        return r"\w*"
    pattern, any_word = "", False
    for word in words:
        if word == _ANY_WORD:
            any_word = bool(pattern)  # a leading or trailing lone * adds nothing
            continue
        piece = re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "")
        if pattern:
            pattern += r"(?:[\W_]+\w+[\W_]+|[\W_]*)" if any_word else r"[\W_]*"
        pattern += piece
        any_word = False
    return pattern


def _lexicon_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """All phrases as one pattern, each in a group `p{index}`, matching whole words only; where
    several phrases match at one place, the longest phrase is taken.

    Alternatives are grouped under their first character, so the pattern opens with a choice
    of literal characters: the regular expression engine then skips in C every position that
    cannot start a match, instead of trying each phrase there. The "starts a word" test comes
    right after that first character, as a look-behind at the character before it.
    """
    if not phrases:
        return None
    by_first: dict[str, list[tuple[int, int, str]]] = {}  # first character: (size, index, rest)
    for index, phrase in enumerate(phrases):
        pattern = _phrase_pattern(phrase)
        words = _words(phrase)
        real = [w for w in words if w != _ANY_WORD]
        first = real[0].rstrip("*")[:1] if real else ""
        if not first:  # a phrase such as "*": keep every phrase in its place, the slow way
            alternatives = (f"(?P<p{i}>{_phrase_pattern(p)})" for i, p in enumerate(phrases))
            return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
        size = len(" ".join(words))
        by_first.setdefault(first, []).append((size, index, pattern[len(re.escape(first)):]))
    # Phrases with different first characters never match at the same place; among those that
    # share one, the longest is tried first, so "leduc county council" wins over "leduc county".
    branches = []
    for first, alts in by_first.items():
        ordered = [f"(?P<p{index}>{rest})" for _, index, rest in sorted(alts, key=lambda a: (-a[0], a[1]))]
        branches.append(re.escape(first) + r"(?<!\w.)" + (ordered[0] if len(ordered) == 1 else
                                                           "(?:" + "|".join(ordered) + ")"))
    return re.compile("(?:" + "|".join(branches) + r")(?!\w)", re.DOTALL)


# Words too common to tell posts apart (English, French, and what every council post says): a
# phrase is keyed on another of its words where it has one.
_COMMON = frozenset(
    """a an the in on at of to and or but not no is was were be been are am i me my we us our you your
    you're it it's its that that's this these those do does did don't for with as by from have has had
    will would can can't could should just so if then than there here they them their he she his her
    what who how all any more about after before out up down over into new one also like get got make
    time year week day today tonight now please thank thanks great good very much many some other
    share say said see know think going want need information public people community city council
    meeting support work plan project details update residents town le la les de des du et en un une
    est pour pas que qui sur dans au aux nous vous""".split()
)
_ALNUM_RUN = re.compile(r"[a-z0-9]+")


WHOLE = "$"  # ends a key that is a whole run of letters and digits in the text, not a prefix


def phrase_keys(phrase: str) -> frozenset[str] | None:
    """Strings one of which starts a word wherever the phrase matches (None: no such strings).

    A match is the phrase's words verbatim, separated by nothing or by non-word characters. Pick
    one telling word: in a match it stands glued to none, some or all of its neighbours
    ("incamera") or apart. Each such spelling holds runs of ASCII letters and digits that begin
    right after a character that is neither ("f*ck": "f", "ck"); the longest run of each is a
    key. Where the run ends the spelling too, and its last word takes no * ending, a character
    that is neither follows it in the text as well: the key is marked WHOLE ("grow$" is found in
    "grow up", not in "growth"). A key holds no word boundary.
    """
    # A lone * stands for a whole word between separators, or for nothing (the words either side
    # may then be glued): for keys, the phrase is its other words.
    words = [w for w in _words(phrase) if w != _ANY_WORD]
    stems = [w.rstrip("*") for w in words]
    if not stems or not any(stems):
        return None
    # A word with a trailing * may swallow any letters, and the next word be glued to them
    # ("idiot* people" matches "idiotspeople"): no key can lie beyond the first such word.
    reach = next((i for i, w in enumerate(words) if w.endswith("*")), len(words) - 1)

    def telling(i: int) -> tuple[bool, bool, int, int]:
        run = len(max(_ALNUM_RUN.findall(stems[i]), key=len, default=""))
        return run > 0, stems[i] not in _COMMON, run, -i

    k = max(range(reach + 1), key=telling)
    keys = set()
    for first in range(k + 1):
        for last in range(k, reach + 1):
            glued = "".join(stems[first:last + 1])
            runs = list(_ALNUM_RUN.finditer(glued))
            if not runs:
                return None  # an emoticon or the like: no key, the full pattern always runs
            run = max(runs, key=lambda m: m.end() - m.start())
            whole = run.end() < len(glued) or not words[last].endswith("*")
            keys.add(run.group() + (WHOLE if whole else ""))
    return frozenset(keys)


@dataclass
class _TrieNode:
    children: dict[str, _TrieNode] = field(default_factory=dict)
    whole: bool | None = None  # None: no key ends here; else whether that key must end a run


def _trie(keys: dict[str, bool]) -> str:
    """One regular expression for many literal strings, factored by common prefixes, so the
    engine tries a handful of alternatives per position rather than one per key. A key marked
    True must end where the letters and digits do."""
    root = _TrieNode()
    for key, whole in keys.items():
        node = root
        for ch in key:
            node = node.children.setdefault(ch, _TrieNode())
        node.whole = whole

    def emit(node: _TrieNode) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.children.items())]
        if node.whole is None:
            return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        stop = r"(?![a-z0-9])" if node.whole else ""
        # A key ends here: the longest key found is enough (see Scanner.expand).
        return "(?:" + "|".join(branches + [stop]) + ")" if branches else stop

    return emit(root)


class Scanner:
    """Finds, in one pass over a folded text, which of many keys start a word in it.

    A key "starts a word" when the character before it is not an ASCII letter or digit (or it
    opens the text); a WHOLE key also ends where they do. At each such place the pattern takes
    the longest key; a lexicon asks with `expand`ed keys (every key of the scanner that begins
    with one of its prefix keys), so shorter keys found at the same place are not missed. Keys
    never contain a word boundary, so the matches found do not overlap anything the scan skips.
    """

    def __init__(self, keys: Iterable[str]):
        self.keys = frozenset(keys)
        # A string asked for both whole and as a prefix is looked for as a prefix.
        wanted: dict[str, bool] = {}
        for key in self.keys:
            text, whole = key.removesuffix(WHOLE), key.endswith(WHOLE)
            wanted[text] = wanted.get(text, True) and whole
        self._strings = frozenset(wanted)
        self._findall = re.compile(r"[^a-z0-9](" + _trie(wanted) + ")").findall if wanted else None
        self._expanded: dict[frozenset[str], frozenset[str] | None] = {}

    def scan(self, text: str) -> frozenset[str]:
        found = self._findall(" " + text) if self._findall is not None else None
        return frozenset(found) if found else _NOTHING

    def expand(self, keys: frozenset[str]) -> frozenset[str] | None:
        """What `scan` reports when one of `keys` starts a word (None: some key unknown here)."""
        try:
            return self._expanded[keys]
        except KeyError:
            pass
        expanded: frozenset[str] | None = None
        if keys <= self.keys:
            expanded = frozenset(
                s for s in self._strings
                if any(s == k.removesuffix(WHOLE) if k.endswith(WHOLE) else s.startswith(k) for k in keys)
            )
        self._expanded[keys] = expanded
        return expanded


@lru_cache(maxsize=256)
def scanner(keys: frozenset[str]) -> Scanner:
    """A compiled scanner, shared by every context that asks for the same keys."""
    return Scanner(keys)


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
        self._by_group: list[str] = list(self.phrases)
        keys: set[str] | None = set()
        literals: set[str] = set()  # for phrases with no letters or digits ("🤐"): a substring test
        for phrase in self.phrases:
            phrase_key = phrase_keys(phrase)
            stems = [w.rstrip("*") for w in _words(phrase)]
            if phrase_key is not None and keys is not None:
                keys |= phrase_key
            elif any(stems) and keys is not None:
                literals.add(max(stems, key=len))
            else:
                keys = None  # "*": nothing to look for, every text goes through the full pattern
        self._pattern = _lexicon_pattern(self.phrases)
        self.keys: frozenset[str] | None = frozenset(keys) if keys is not None and self._pattern else None
        self._literals = re.compile("|".join(map(re.escape, sorted(literals)))).search if literals else None
        self._literals_unicode = all(not literal.isascii() for literal in literals)  # never in ASCII text
        self._own = Scanner(self.keys) if self.keys else None
        # The last scanner seen and this lexicon's keys expanded for it: one scanner per audit.
        self._gate: tuple[Scanner | None, frozenset[str] | None] = (None, None)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def may_match(self, folded: Folded) -> bool:
        """False only when the text certainly holds no phrase (cheap; see `Scanner`)."""
        keys = self.keys
        if keys is None:
            return self._pattern is not None
        if keys:
            found = folded.scanner
            gate = self._gate
            if gate[0] is not found:
                # One tuple, swapped whole: a lexicon may be shared by audits in several threads.
                gate = self._gate = (found, found.expand(keys) if found is not None else None)
            expanded = gate[1]
            if expanded is not None:
                if not expanded.isdisjoint(folded.keys):
                    return True
            elif self._own is not None and self._own.scan(folded.text):
                return True
        literals = self._literals
        if literals is None or (self._literals_unicode and folded.text.isascii()):
            return False
        return literals(folded.text) is not None

    def _match(self, folded: Folded, m: re.Match[str]) -> Match:
        phrase = self._by_group[int(m.lastgroup[1:])] if m.lastgroup else m.group(0)
        a, b = folded.span(m.start(), m.end())
        return Match(phrase, a, b, folded.original[a:b])

    def search(self, folded: Folded) -> Match | None:
        if not self.may_match(folded):
            return None
        assert self._pattern is not None
        m = self._pattern.search(folded.text)
        return self._match(folded, m) if m else None

    def finditer(self, folded: Folded) -> list[Match]:
        """Every match, left to right (a list: most posts have none, and a few at most)."""
        if not self.may_match(folded):
            return []
        assert self._pattern is not None
        return [self._match(folded, m) for m in self._pattern.finditer(folded.text)]


@lru_cache(maxsize=1024)
def lexicon(phrases: tuple[str, ...]) -> Lexicon:
    """A compiled lexicon, shared by every caller with the same phrases (meeting topics...)."""
    return Lexicon(phrases)


def words_of(phrase: str) -> tuple[str, ...]:
    """A phrase's telling words, for matching them in any order ("Lede Park skatepark")."""
    return tuple(w for w in _words(phrase) if w.rstrip("*") not in _COMMON) or tuple(_words(phrase))
