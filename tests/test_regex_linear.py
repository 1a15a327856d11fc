"""No pathological regular expressions: every rule, and the link pattern, on posts of 63,206
characters (the longest Facebook allows) in adversarial shapes, in time linear in the length.

Each case is timed at half and at full length: the full one must finish within a second and take
less than three times the half (quadratic would be four). Times under 50 ms are too short to
compare and only held to the absolute bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from auditor.config.policy import load_policy
from auditor.engine import evaluate as engine
from auditor.engine.context import AccountInfo, AuditContext, EmergencyInfo, MeetingInfo
from auditor.engine.text.sentences import _LINK
from auditor.records import PostView
from tests.conftest import ROOT

pytestmark = pytest.mark.faults

FACEBOOK_MAX = 63_206
NOW = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
MEETING = MeetingInfo(NOW - timedelta(days=2), None, "Council", ("ring road contract",), ("land on 50 Street",))
EMERGENCY = EmergencyInfo(NOW - timedelta(days=3), NOW + timedelta(days=1), ("flood", "evacuation"))
# Shapes that make a backtracking engine work: each is repeated or stretched to the length.
SHAPES: dict[str, Callable[[int], str]] = {
    "one long word and a full stop": lambda n: "a" * (n - 1) + ".",
    "one long word and a digit": lambda n: "a" * (n - 1) + "1",
    "dotted run with no slash": lambda n: ("ab." * n)[:n],
    "hyphen run": lambda n: ("a-" * n)[: n - 1] + ".",
    "repeated separators": lambda n: ("a. " * n)[: n - 2] + "a1",
    "spaced letters": lambda n: ("i d i o t " * n)[:n],
    "masked letters": lambda n: ("1d*0t " * n)[:n],
    "many URLs": lambda n: ("https://leduc.ca/in-camera?x=1 www.x.ca leduc.ca/a " * n)[:n],
    "emoji runs": lambda n: ("\U0001F600\u200d\U0001F525" * n)[:n],
    "punctuation": lambda n: ("!?" * n)[:n],
    "quotes": lambda n: ('"' * n)[:n],
    "tallies and times": lambda n: ("7-2 12-3pm " * n)[:n],
    "money": lambda n: ("$1,000,000.00 " * n)[:n],
    "keywords everywhere": lambda n: ("in camera voted idiot flood confidential you're wrong " * n)[:n],
    "newlines": lambda n: "\n" * n,
}


def _context(text: str) -> AuditContext:
    accounts = [AccountInfo("facebook", "jane", "personal", "Jane Doe", "1"),
                AccountInfo("facebook", "city", "official-city", None, "2")]

    def post(pid: str, author: str, councillor: str | None, parent: str | None) -> PostView:
        return PostView("facebook", pid, "city" if parent else "jane", author, author, author, councillor,
                        "comment" if parent else "post", text, NOW - timedelta(hours=1), None, parent_id=parent)

    posts = [post("1_1", "jane", "Jane Doe", None), PostView("facebook", "2_1", "city", "2", "city", "city", None,
                                                             "post", "City update", NOW - timedelta(hours=3), None),
             post("2_1_9", "jane", "Jane Doe", "2_1")]
    return AuditContext(NOW, ZoneInfo("America/Edmonton"), posts, accounts, [MEETING], [EMERGENCY])


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


# Linear, but slower than a second at the longest post: (shape, rule) -> the bound it keeps, and why.
# Left to the rules' owners to speed up; linearity is still checked.
SLOW = {
    # 10,500 obfuscated insults ("1d*0t") in one post: each is unmasked against the vocabulary and
    # becomes a match the rule weighs (about 65 microseconds a character).
    ("masked letters", "tone"): 8.0,
}


def _linear(measure: Callable[[int], float], bound: float = 1.0) -> None:
    half, full = measure(FACEBOOK_MAX // 2), measure(FACEBOOK_MAX)
    if full > 0.05 and full >= 3 * max(half, 0.01) or full >= bound:
        # A collection or another process can stall one measurement: the best of three counts.
        half = min(half, *(measure(FACEBOOK_MAX // 2) for _ in range(2)))
        full = min(full, *(measure(FACEBOOK_MAX) for _ in range(2)))
    assert full < bound, f"{full:.2f}s for {FACEBOOK_MAX:,} characters"
    if full > 0.05:
        assert full < 3 * max(half, 0.01), f"{half:.3f}s at half length, {full:.3f}s at full: not linear"


RULES = list(engine.REGISTRY)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_link_pattern_is_linear(shape: str) -> None:
    _linear(lambda n: _timed(lambda: list(_LINK.finditer(SHAPES[shape](n)))))


@pytest.mark.parametrize("rule_id", RULES)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_rule_is_linear_on_the_longest_post(rule_id: str, shape: str) -> None:
    rules = engine.enabled_rules(load_policy(ROOT / "config" / "policy.yaml"), only=[rule_id])
    bound = SLOW.get((shape, rule_id), 1.0)
    _linear(lambda n: _timed(lambda: engine.evaluate(_context(SHAPES[shape](n)), rules)), bound)
