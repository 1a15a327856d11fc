"""Post text for the rules: folded for matching (`fold`), searched by lexicons (`lexicon`), cut
into sentences, words and links (`sentences`). Everything the rules need is importable from here."""

from auditor.engine.text.fold import CONFUSABLES, Folded, fold
from auditor.engine.text.lexicon import WHOLE, Lexicon, Match, Scanner, lexicon, phrase_keys, scanner, words_of
from auditor.engine.text.sentences import (
    excerpt,
    in_link,
    one_line,
    same_sentence,
    scattered,
    sentence,
    word_count,
    words_apart,
)

__all__ = [
    "CONFUSABLES", "WHOLE", "Folded", "Lexicon", "Match", "Scanner", "excerpt", "fold", "in_link", "lexicon",
    "one_line", "phrase_keys", "same_sentence", "scanner", "scattered", "sentence", "word_count", "words_apart",
    "words_of",
]
