"""The policy file (`policy.yaml`): clause texts, rule switches, severities and lexicons.

Validated here against each rule's own parameter model, so a typo in a lexicon key is reported
as `policy.yaml: rules.tone.phrase: unknown key` rather than silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.config.errors import ConfigError, first_error, read_yaml  # one error style for both files
from auditor.engine.practice import GoodPractice  # the engine's own parameters, as for rules
from auditor.engine.rules import REGISTRY, RuleParams

__all__ = ["GoodPractice", "Policy", "PolicyFile", "load_policy"]


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    policy: str = "City of Leduc Policy 11.00:27, Social Media Policy for Council"
    clauses: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    good_practice: GoodPractice = GoodPractice()


P = TypeVar("P", bound=RuleParams)


class Policy:
    """The validated policy: each rule's parameters, and the clause texts reports quote."""

    def __init__(self, file: PolicyFile, params: dict[str, RuleParams], path: Path):
        self.name: str = file.policy
        self.clauses: dict[str, str] = dict(file.clauses)
        self.params: dict[str, RuleParams] = params
        self.good_practice: GoodPractice = file.good_practice
        self.path: Path = path

    def clause_text(self, clause: str) -> str:
        return self.clauses.get(clause, "")

    def rule_params(self, rule_id: str, kind: type[P]) -> P:
        """One rule's parameters with their own type, e.g.
        `policy.rule_params("response-time", ResponseTimeParams).max_hours`."""
        params = self.params[rule_id]
        if not isinstance(params, kind):
            raise TypeError(f"rule {rule_id!r} has {type(params).__name__}, not {kind.__name__}")
        return params


def load_policy(path: Path) -> Policy:
    data = read_yaml(path)
    if data is None:
        # Built-in defaults would audit quietly against different word lists: say so instead.
        raise ConfigError(path, None, "is empty (start from config/policy.yaml)")
    if not isinstance(data, dict):
        raise ConfigError(path, None, "expected a mapping with clauses, rules and good_practice")
    try:
        file = PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, *first_error(exc)) from None
    unknown = sorted(set(file.rules) - set(REGISTRY))
    if unknown:
        raise ConfigError(path, f"rules.{unknown[0]}", f"unknown rule id (known: {', '.join(sorted(REGISTRY))})")
    params: dict[str, RuleParams] = {}
    for rule_id, rule in REGISTRY.items():
        try:
            params[rule_id] = rule.Params.model_validate(file.rules.get(rule_id) or {})
        except ValidationError as exc:
            field, problem = first_error(exc)
            raise ConfigError(path, f"rules.{rule_id}.{field}", problem) from None
    for rule_id, rule_params in params.items():
        if rule_params.clause not in file.clauses and file.clauses:
            raise ConfigError(path, f"rules.{rule_id}.clause", f"clause {rule_params.clause!r} is not in clauses")
    return Policy(file, params, path)
