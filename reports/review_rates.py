"""The department's decisions as a measure of each rule: how often its findings were upheld.

A finding counts by the latest decision on it made in the period: acknowledged or escalated is
upheld, dismissed is not; open and reopened findings count for neither. A rule that is mostly
dismissed is one to tune (`config/policy.yaml`), and the dismissed findings, exported with
`auditor findings --format jsonl --with-decisions`, are its examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from auditor.records import Decision, StoredFinding

UPHELD = frozenset({"acknowledged", "escalated"})


@dataclass(frozen=True)
class ReviewRate:
    upheld: int
    dismissed: int

    @property
    def reviewed(self) -> int:
        return self.upheld + self.dismissed

    @property
    def share_upheld(self) -> float | None:
        return self.upheld / self.reviewed if self.reviewed else None


def latest_decisions(decisions: Iterable[Decision], since: datetime | None = None) -> dict[int, Decision]:
    """Each finding's latest decision (made on or after `since`)."""
    latest: dict[int, Decision] = {}
    for decision in sorted(decisions, key=lambda d: (d.at, d.id)):
        if since is None or decision.at >= since:
            latest[decision.finding_id] = decision
    return latest


def review_rates(
    findings: Iterable[StoredFinding], decisions: Iterable[Decision], since: datetime
) -> dict[str, ReviewRate]:
    """Per rule, findings upheld and dismissed by their latest decision since `since`; rules
    with no such decision are left out."""
    latest = latest_decisions(decisions, since)
    tally: dict[str, list[int]] = {}
    for finding in findings:
        decision = latest.get(finding.id)
        if decision is None or (decision.action not in UPHELD and decision.action != "dismissed"):
            continue
        counts = tally.setdefault(finding.rule, [0, 0])
        counts[0 if decision.action in UPHELD else 1] += 1
    return {rule: ReviewRate(up, down) for rule, (up, down) in sorted(tally.items())}
