"""The policy file (`policy.yaml`): clause texts, rule switches, severities and lexicons.

Validated here against each rule's own parameter model, so a typo in a lexicon key is reported
as `policy.yaml: rules.tone.phrase: unknown key` rather than silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.engine.rules import REGISTRY, RuleParams


class GoodPractice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    community_events: list[str] = Field(default_factory=list)
    comments_invited: list[str] = Field(default_factory=list)
    city_domains: list[str] = Field(default_factory=list)


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    policy: str = "City of Leduc Policy 11.00:27, Social Media Policy for Council"
    clauses: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    good_practice: GoodPractice = GoodPractice()


class Policy:
    """The validated policy: each rule's parameters, and the clause texts reports quote."""

    def __init__(self, file: PolicyFile, params: dict[str, RuleParams], path: Path):
        self.name = file.policy
        self.clauses = dict(file.clauses)
        self.params = params
        self.good_practice = file.good_practice
        self.path = path

    def clause_text(self, clause: str) -> str:
        return self.clauses.get(clause, "")


def load_policy(path: Path) -> Policy:
    from auditor.config.settings import ConfigError, _first_error, read_yaml  # one error style for both files

    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(path, None, "expected a mapping with clauses, rules and good_practice")
    try:
        file = PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, *_first_error(exc)) from None
    unknown = sorted(set(file.rules) - set(REGISTRY))
    if unknown:
        raise ConfigError(path, f"rules.{unknown[0]}", f"unknown rule id (known: {', '.join(sorted(REGISTRY))})")
    params: dict[str, RuleParams] = {}
    for rule_id, rule in REGISTRY.items():
        try:
            params[rule_id] = rule.Params.model_validate(file.rules.get(rule_id) or {})
        except ValidationError as exc:
            field, problem = _first_error(exc)
            raise ConfigError(path, f"rules.{rule_id}.{field}", problem) from None
    for rule_id, rule_params in params.items():
        if rule_params.clause not in file.clauses and file.clauses:
            raise ConfigError(path, f"rules.{rule_id}.clause", f"clause {rule_params.clause!r} is not in clauses")
    return Policy(file, params, path)
