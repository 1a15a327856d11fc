"""Normalising post text for matching, and mapping matches back to the original.

Matching runs on a folded copy of the text: compatibility forms unfolded (full-width letters,
ligatures), accents and case dropped, zero-width and control characters removed, look-alike
Cyrillic and Greek letters mapped to Latin. Every folded character remembers the index of the
original character it came from, so evidence is always quoted from what the councillor wrote.

Speed: most posts match no lexicon at all, so a lexicon first asks a cheap question that every
match implies, "does one of my keys start a word here?", before its full pattern runs. A
`Scanner` answers that question, in one pass over a post, for all the lexicons the rules try on
most posts (`AuditContext.prepare`); any other lexicon asks its own small scanner.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat

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


_NOTHING: frozenset[str] = frozenset()


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


_LINK = re.compile(r"(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)


@lru_cache(maxsize=256)
def _links(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _LINK.finditer(text)) if "." in text else ()


def in_link(text: str, match: Match) -> bool:
    """Is the match part of a web address ("leduc.ca/huis-clos")? A link's words are not said."""
    return any(a <= match.start and match.end <= b for a, b in _links(text))


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
def words_of(phrase: str) -> tuple[str, ...]:
    """A phrase's telling words, for matching them in any order ("Lede Park skatepark")."""
    return tuple(w for w in _words(phrase) if w.rstrip("*") not in _COMMON) or tuple(_words(phrase))


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
