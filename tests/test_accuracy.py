"""Every rule stays at 0.9 precision and recall or better on the labelled corpus (tests/corpus/).

Measured by the same code as `benchmarks/accuracy.py`, which prints the table and every miss.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from auditor.engine.rules import REGISTRY
from benchmarks.accuracy import ACCOUNT_RULES, CorpusError, Result, load_scene, measure, report

TARGET = 0.9


@pytest.fixture(scope="module")
def result() -> Result:
    return measure()


def test_no_rule_falls_below_0_9_precision_or_recall_on_the_corpus(result: Result) -> None:
    below = {rule: (round(s.precision, 2), round(s.recall, 2)) for rule, s in result.scores.items()
             if s.precision < TARGET or s.recall < TARGET}
    assert not below, f"below {TARGET} (precision, recall): {below}\n{report(result)}"


def test_the_corpus_has_300_posts_and_examples_both_ways_for_every_rule(result: Result) -> None:
    assert result.posts >= 300
    assert set(result.scores) == set(REGISTRY)
    for rule, score in result.scores.items():
        assert score.positives >= 5, f"{rule}: too few posts labelled with it to measure"
        assert score.negatives >= 5, f"{rule}: no hard negatives"


HEADER = """
now: 2026-11-23T12:00:00-07:00
accounts:
  - {platform: x, handle: jane, kind: personal, councillor: Jane Doe, profile: "Views are my own."}
posts:
"""


@pytest.mark.parametrize(
    ("post", "words"),
    [
        ("- {id: '1', by: jane, at: 2026-11-20T09:00, text: hi, expect: [cadence]}", "cannot be labelled here"),
        ("- {id: '1', by: jane, at: 2026-11-20T09:00, text: hi, expect: [tonne]}", "unknown rule ids"),
        ("- {id: '1', by: jane, at: 2026-11-20T09:00, text: hi}", "`expect` must be a list"),
        ("- {id: '1', by: jane, at: 2026-11-20T09:00, text: hi, expect: [], colour: red}", "unknown keys"),
        ("- {id: '1', by: bob, parent: '9', at: 2026-11-20T09:00, text: hi, expect: []}", "not an earlier post"),
    ],
    ids=["account rule on a post", "unknown rule", "no expect", "unknown key", "parent not found"],
)
def test_a_corpus_file_that_breaks_the_format_says_where(tmp_path: Path, post: str, words: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(HEADER + "  " + post + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=words):
        load_scene(path)


def test_account_level_rules_are_scored_on_accounts(result: Result) -> None:
    for rule in ACCOUNT_RULES:
        assert result.scores[rule].positives + result.scores[rule].negatives <= result.accounts


@pytest.mark.parametrize("name", ["blind", "dev"])
def test_the_held_out_sets_load_and_have_what_a_measure_needs(name: str) -> None:
    """Read only, never scored here: the blind set is measured by hand at the end of a round of work."""
    from benchmarks.accuracy import CONTENT_RULES, SETS, language, load_corpus

    if not SETS[name].exists():
        pytest.skip(f"{SETS[name]} is not written yet")
    scenes = load_corpus(SETS[name])
    texts = [p.text for s in scenes for p in s.ctx.posts]
    labelled = Counter(  # posts labelled, before the arguments' replies are joined into exchanges
        rule for path in sorted(SETS[name].glob("*.yaml"))
        for post in yaml.safe_load(path.read_text(encoding="utf-8"))["posts"] for rule in post["expect"]
    )
    minimum = 30 if name == "blind" else 20
    assert len(texts) >= (400 if name == "blind" else 250)
    assert {rule: labelled[rule] for rule in CONTENT_RULES if labelled[rule] < minimum} == {}
    assert sum(language(t) == "fr" for t in texts) >= len(texts) / 5
