"""The rule engine: posts, accounts and `now` in, findings out. Pure and deterministic.

No database, no clock, no network: the pipeline hands in everything, so the same inputs
always give the same findings, and auditing twice changes nothing.

Post rules run together in one pass over the posts: each councillor's post is folded and
scanned for every rule's keywords once, then handed to each rule in turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from auditor.engine.context import AuditContext
from auditor.engine.rules import REGISTRY, PostRule, Rule, RuleParams
from auditor.records import Finding


class RuleSettings(Protocol):
    """What the engine needs of the policy (`auditor.config.policy.Policy` is one): each rule's
    validated parameters, by rule id. The engine does not read the policy file itself."""

    @property
    def params(self) -> Mapping[str, RuleParams]: ...


def enabled_rules(policy: RuleSettings, only: Iterable[str] | None = None) -> list[Rule]:
    """Instances of every enabled rule, in registry order (optionally only the named ones)."""
    wanted = set(only) if only is not None else None
    rules: list[Rule] = []
    for rule_id, rule_class in REGISTRY.items():
        params = policy.params[rule_id]
        if params.enabled and (wanted is None or rule_id in wanted):
            rules.append(rule_class(params))
    return rules


def evaluate(ctx: AuditContext, rules: Sequence[Rule]) -> list[Finding]:
    """Every finding of every rule, one per (rule, platform, account, subject), in a stable order."""
    ctx.prepare(lex for rule in rules for lex in rule.lexicons(ctx))
    found: dict[tuple[str, str, str, str], Finding] = {}
    post_rules = [rule for rule in rules if isinstance(rule, PostRule)]
    on_reposts = [rule for rule in post_rules if not rule.skip_reposts]
    if post_rules:
        for post in ctx.posts:
            if post.councillor is None:
                continue
            for rule in on_reposts if post.kind == "repost" else post_rules:
                finding = rule.check_post(post, ctx)
                if finding is not None:
                    found.setdefault(finding.key, finding)
    for whole_rule in rules:
        if not isinstance(whole_rule, PostRule):
            for finding in whole_rule.check(ctx):
                found.setdefault(finding.key, finding)
    return sorted(found.values(), key=lambda f: (f.posted_at is None, f.posted_at or ctx.now, f.key))
