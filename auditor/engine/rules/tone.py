"""tone (F.1, F.4): insults, name-calling, profanity and contempt in a councillor's words.

F.1: "Post information in a polite and professional manner." F.4: "Listen to dissenting
opinions and respond in a respectful manner."

Disagreement is not a fault; contempt for people is. What fires:

- `insults` are aimed at people by nature ("idiot", "liar", "pillock", "sans-dessein"): always;
- `epithets` are insults only when put on someone: after a `markers` phrase ("you absolute",
  "bunch of", "gros", "bande de": "gros colon", "bunch of snowflakes"), or as the address of a
  sentence ("Problem solved, genius.", "Screenshot away sweetheart.") that holds no `praise`
  ("Congrats champion!"). "You absolute *" in `insults` is an insult whatever the word, unless
  `harmless` ("you absolute legend");
- `condescension` is contempt by itself ("do your homework", "grow a spine", "pipe down");
- `contempt` words ("stupid", "pathetic", "a disgrace") fire only when aimed at someone: a
  `targets` word ("you", "the mayor", "people", an @handle) within `target_window` words in the
  same sentence. "The province's funding formula is a disgrace" is disagreement;
- `profanity` fires wherever it stands (severity `profanity_severity`);
- `sarcasm` ("with all due respect", "oh here we go", 🙄) in a reply to someone is worth a look
  (severity `sarcasm_severity`, low by default): it is often contempt, not always.

Scope: words inside quotation marks ("...", « ... », '...') are someone else's; a `negations`
word shortly before ("nobody is calling you a fool", "je traiterai jamais personne de niaiseux")
or a `self_references` phrase ("I'm such a", "called me a", "chu") excuses insults, epithets,
contempt and condescension (not profanity). `harmless` phrases excuse what they contain.

Obfuscation ("f*ck", "id10t", "Tabarn@k", "s t u p i d") is written out before matching, on the
few posts that could hold it (`auditor.engine.text.obfuscation`); evidence is quoted as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, in_link, sentence, word_count, words_apart
from auditor.engine.text.obfuscation import Unmasker, may_hide
from auditor.records import Finding, PostView, Severity


class ToneParams(RuleParams):
    severity: Severity = "medium"
    clause: str = "F.1"
    insults: list[str] = Field(default_factory=lambda: ["idiot*", "moron*", "shut up"])
    epithets: list[str] = Field(default_factory=list)
    markers: list[str] = Field(default_factory=list)
    praise: list[str] = Field(default_factory=list)
    condescension: list[str] = Field(default_factory=list)
    contempt: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=lambda: ["you", "your"])
    target_window: int = Field(4, ge=0)
    harmless: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)
    self_references: list[str] = Field(default_factory=list)
    naming_verbs: list[str] = Field(default_factory=list)
    scope_window: int = Field(5, ge=0)
    profanity: list[str] = Field(default_factory=lambda: ["damn"])
    profanity_severity: Severity = "medium"
    sarcasm: list[str] = Field(default_factory=list)
    sarcasm_severity: Severity = "low"


# Quoted words: "...", « ... », and '...' opened before a word and closed after one (an
# apostrophe inside a word, "you're", "flamin'", is neither).
_QUOTED = re.compile(r"\"[^\"\n]{1,300}\"|\u00ab[^\u00bb\n]{1,300}\u00bb"
                     r"|(?<![\w'])'(?=\w)(?:[^'\n]|(?<=\w)'(?=\w)){0,300}?\w[.!?]?'(?!\w)")
# Words that make the next word a noun of something, not the address of a sentence.
_DETERMINERS = frozenset(
    "a an the our my his her their your its this that these those some any every no to of for with by at on in "
    "and or le la les un une des du de d l mon ma mes ton ta tes notre nos votre vos leur leurs ce cet cette ces "
    "au aux is was are were be been being so such pure est sont etait c'est quel quelle".split())
_FUNCTION_WORDS = frozenset(
    "a à au aux en in at on of de du des who qui que that and et or ou from with avec like comme for pour dans "
    "sur running who's whose over down up out again mon ma man mate pal buddy la là".split())
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_]+)")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)['\u2019]?\W*$")


class Hostility:
    """The tone rule's judgement of one text, shared with `unmoderated-debate`."""

    def __init__(self, params: ToneParams):
        self.params = params
        self.insults = Lexicon(params.insults)
        self.epithets = Lexicon(params.epithets)
        self.markers = Lexicon(params.markers)
        self.praise = Lexicon(params.praise)
        self.condescension = Lexicon(params.condescension)
        self.contempt = Lexicon(params.contempt)
        self.targets = Lexicon(params.targets)
        self.harmless = Lexicon(params.harmless)
        self.negations = Lexicon(params.negations)
        self.self_references = Lexicon(params.self_references)
        self.naming = Lexicon(params.naming_verbs)
        self.profanity = Lexicon(params.profanity)
        self.sarcasm = Lexicon(params.sarcasm)
        words = [*params.insults, *params.epithets, *params.contempt, *params.profanity]
        self.unmasker = Unmasker(w for w in words if " " not in w.strip())
        # One cheap question per post, most of which match none (sarcasm is asked of replies only).
        self.any = Lexicon([*params.insults, *params.epithets, *params.condescension, *params.contempt,
                            *params.profanity])

    # -- scope -------------------------------------------------------------------------------
    def _excused(self, folded: Folded, match: Match, harmless: list[Match]) -> bool:
        """Someone else's words, a harmless sense, or in a link."""
        if any(h.start <= match.start and match.end <= h.end for h in harmless):
            return True
        text = folded.original
        if in_link(text, match):
            return True
        return any(q.start() < match.start and match.end <= q.end() for q in _QUOTED.finditer(text))

    def _disowned(self, folded: Folded, match: Match, negations: list[Match], selves: list[Match],
                  naming: list[Match]) -> bool:
        """A self-reference just before the words, or a negation of calling or being ("nobody is
        calling you a fool", "je traiterai jamais personne de niaiseux"; not "I won't engage with
        trolls"), in their sentence."""
        text = folded.original
        start, _ = sentence(text, match.start, match.end)
        window = self.params.scope_window

        def before(s: Match, reach: int) -> bool:
            return start <= s.start < match.start and s.end <= match.start + 1 and words_apart(text, s, match) <= reach

        if any(before(s, min(window, 3)) for s in selves):  # "I'm such an idiot", "called me a drongo"
            return True
        return any(before(n, window) and any(before(v, window + 2) for v in naming) for n in negations)

    def _aimed(self, folded: Folded, match: Match, targets: list[Match]) -> bool:
        """Is someone named near the word, in its sentence? A verdict standing as a sentence of its
        own ("Enjoy being irrelevant, pal. Pathetic.") is aimed at whoever the sentence before names."""
        text = folded.original
        near = [t for t in targets
                if words_apart(text, match, t) <= self.params.target_window and not t.start <= match.start < t.end]
        start, end = sentence(text, match.start, match.end)
        if any(start <= t.start < end for t in near):
            return True
        if start == 0 or word_count(text, start, end) > 2:
            return False
        before = start - 1
        while before > 0 and (text[before].isspace() or text[before] in ".!?\u2026"):
            before -= 1
        first, last = sentence(text, before, before + 1)
        return any(first <= t.start < last for t in near)

    def _addressed(self, folded: Folded, match: Match, markers: list[Match]) -> bool:
        """An epithet put on someone: right after a marker, ending its noun phrase ("what a
        numpty", "gang de caves à Edmonton", not "what a genius idea"), or as the address of its
        sentence, in a sentence that is not praise ("Congrats champion!")."""
        text = folded.original
        start, end = sentence(text, match.start, match.end)
        if any(words_apart(text, m, match) == 0 and m.end <= match.start for m in markers):
            following = _WORD_AFTER.match(text, match.end, end)
            if following is None or following.group(1).lower() in _FUNCTION_WORDS:
                return True
        if any(start <= p.start < end for p in self.praise.finditer(folded)):
            return False
        after = text[match.end:end].strip(" \t,;:!?.\u2026)\"'\u00bb")
        before = _WORD_BEFORE.search(text, start, match.start)
        if after:  # "Genius, read the report." : the address opens the sentence
            return before is None and text[match.end:end].lstrip().startswith(",")
        # Closing its sentence: "Problem solved, genius." / "Screenshot away sweetheart."
        return before is not None and before.group(1).lower() not in _DETERMINERS

    # -- the judgement -----------------------------------------------------------------------
    def judge(self, folded: Folded, reply: bool) -> tuple[str, Match, bool] | None:
        """(what, the words, certain) for the first fault in the text, or None."""
        if may_hide(folded):
            folded = self.unmasker.unmask(folded) or folded
        if not self.any.may_match(folded) and not (reply and self.sarcasm.may_match(folded)):
            return None
        harmless_found: list[Match] | None = None
        scope: tuple[list[Match], list[Match], list[Match]] | None = None

        def excused(m: Match) -> bool:
            nonlocal harmless_found
            if harmless_found is None:  # only once something matched: most posts match nothing
                harmless_found = self.harmless.finditer(folded)
            return self._excused(folded, m, harmless_found)

        def owned(matches: list[Match]) -> Iterator[Match]:
            nonlocal scope
            for m in matches:
                if excused(m):
                    continue
                if scope is None:
                    scope = (self.negations.finditer(folded), self.self_references.finditer(folded),
                             self.naming.finditer(folded))
                if not self._disowned(folded, m, *scope):
                    yield m

        for match in owned(self.insults.finditer(folded)):
            return "Name-calling", match, True
        epithets = self.epithets.finditer(folded)
        if epithets:
            markers = self.markers.finditer(folded)
            for match in owned(epithets):
                if self._addressed(folded, match, markers):
                    return "Name-calling", match, True
        for match in owned(self.condescension.finditer(folded)):
            return "Condescension", match, True
        contempt = self.contempt.finditer(folded)
        if contempt:
            targets = self.targets.finditer(folded)
            for match in owned(contempt):
                if self._aimed(folded, match, targets):
                    return "Contempt aimed at people", match, True
        for match in self.profanity.finditer(folded):
            if not excused(match):
                return "Profanity", match, True
        if reply:
            # One marker is worth a look; two different ones in a reply are sarcasm.
            sarcastic = [m for m in self.sarcasm.finditer(folded) if not excused(m)]
            if sarcastic:
                return "Sarcasm", sarcastic[0], len({m.phrase for m in sarcastic}) >= 2
        return None


_REASONS = {
    "Name-calling": "posts should be polite, professional and respectful.",
    "Condescension": "answer the point, not the person.",
    "Contempt aimed at people": "disagree with positions, respectfully.",
    "Profanity": "posts should be polite and professional.",
    "Sarcasm": "sarcasm aimed at the person answered is contempt, not an answer.",
}


def is_reply_to_someone(post: PostView, ctx: AuditContext) -> bool:
    """A reply or comment answering someone else's post."""
    if post.kind not in ("reply", "comment"):
        return False
    parent = ctx.parent(post)
    return parent is not None and parent.author_id != post.author_id


class Tone(PostRule):
    id = "tone"
    title = "Impolite or disrespectful language"
    Params = ToneParams
    params: ToneParams

    @cached_property
    def hostility(self) -> Hostility:
        return Hostility(self.params)

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        return [self.hostility.any]

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        folded = ctx.folded(post)
        judged = self.hostility.judge(folded, reply=post.kind in ("reply", "comment"))
        if judged is None:
            return None
        what, match, certain = judged
        if what == "Sarcasm" and not is_reply_to_someone(post, ctx):
            return None
        severity = (self.params.profanity_severity if what == "Profanity" else
                    self.params.severity if certain else self.params.sarcasm_severity)
        return self.finding(post, f"{what} (\u201c{match.quote}\u201d): {_REASONS[what]}", quoted(post, match),
                            severity=severity)
