"""The rule engine: posts, accounts and `now` in, findings out. Pure and deterministic.

No database, no clock, no network: the pipeline hands in everything, so the same inputs
always give the same findings, and auditing twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.context import AuditContext
from auditor.policy import Policy
from auditor.records import Finding
from auditor.rules import REGISTRY, Rule


def enabled_rules(policy: Policy, only: Iterable[str] | None = None) -> list[Rule]:
    """Instances of every enabled rule, in registry order (optionally only the named ones)."""
    wanted = set(only) if only is not None else None
    rules = []
    for rule_id, rule_class in REGISTRY.items():
        params = policy.params[rule_id]
        if params.enabled and (wanted is None or rule_id in wanted):
            rules.append(rule_class(params))
    return rules


def evaluate(ctx: AuditContext, rules: Sequence[Rule]) -> list[Finding]:
    """Every finding of every rule, one per (rule, platform, account, subject), in a stable order."""
    found: dict[tuple[str, str, str, str], Finding] = {}
    for rule in rules:
        for finding in rule.check(ctx):
            found.setdefault(finding.key, finding)
    return sorted(found.values(), key=lambda f: (f.posted_at is None, f.posted_at or ctx.now, f.key))
