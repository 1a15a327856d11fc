"""Every rule against the cases in tests/rules/cases.yaml, with the shipped policy.yaml."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from auditor.config.policy import load_policy
from auditor.engine.context import AccountInfo, AuditContext, EmergencyInfo, MeetingInfo
from auditor.engine.evaluate import enabled_rules, evaluate
from auditor.engine.rules import REGISTRY
from auditor.records import PostView

HERE = Path(__file__).parent
TZ = ZoneInfo("America/Edmonton")
SPEC = yaml.safe_load((HERE / "rules" / "cases.yaml").read_text(encoding="utf-8"))
POLICY = load_policy(HERE.parent / "config" / "policy.yaml")


def _time(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def build_context(case: dict[str, Any]) -> AuditContext:
    defaults = SPEC["defaults"]
    accounts = [
        AccountInfo(a["platform"], a["handle"], a["kind"], a.get("councillor"), None, a.get("profile", ""))
        for a in case.get("accounts", defaults["accounts"])
    ]
    by_handle = {a.handle: a for a in accounts}
    posts = []
    for spec in case["posts"]:
        author = by_handle.get(spec["by"])
        platform = spec.get("platform", author.platform if author else "x")
        posts.append(
            PostView(
                platform=platform,
                platform_id=spec["id"],
                feed_account=spec.get("feed", spec["by"]),
                author_id=spec["by"],
                author_handle=spec["by"],
                author_account=author.handle if author else None,
                councillor=author.councillor if author else None,
                kind=spec.get("kind", "reply" if "parent" in spec else "post"),
                text=spec["text"],
                created_at=_time(spec["at"]),
                url=None,
                parent_id=spec.get("parent"),
                conversation_id=spec.get("conversation"),
                deleted_at=_time(spec["deleted"]) if "deleted" in spec else None,
            )
        )
    meetings = [
        MeetingInfo(
            _time(m["start"]),
            _time(m["minutes_released"]) if m.get("minutes_released") else None,
            m["title"],
            tuple(m.get("agenda", [])),
            tuple(m.get("in_camera_topics", [])),
        )
        for m in defaults["meetings"]
    ]
    emergencies = [
        EmergencyInfo(_time(e["start"]), _time(e["end"]), tuple(e["topics"])) for e in defaults["emergencies"]
    ]
    return AuditContext(
        now=_time(case.get("now", defaults["now"])),
        tz=TZ,
        posts=posts,
        accounts=accounts,
        meetings=meetings,
        emergencies=emergencies,
    )


@pytest.mark.parametrize("case", SPEC["cases"], ids=[c["name"] for c in SPEC["cases"]])
def test_rule_case(case: dict[str, Any]) -> None:
    ctx = build_context(case)
    findings = evaluate(ctx, enabled_rules(POLICY, only=[case["rule"]]))
    assert sorted(f.subject for f in findings) == sorted(case["fires"])
    for finding in findings:
        assert finding.rule == case["rule"]
        assert finding.clause in POLICY.clauses, "every finding cites a clause the report can quote"
        assert finding.reason and "\n" not in finding.reason


def test_every_rule_has_cases_that_fire_and_cases_that_do_not() -> None:
    firing = {c["rule"] for c in SPEC["cases"] if c["fires"]}
    assert firing == set(REGISTRY), f"rules never shown firing: {set(REGISTRY) - firing}"


def test_evidence_is_quoted_from_the_original_text_not_the_folded_copy() -> None:
    case = next(c for c in SPEC["cases"] if c["name"].startswith("zero-width"))
    findings = evaluate(build_context(case), enabled_rules(POLICY, only=["in-camera"]))
    evidence = {f.subject: f.evidence for f in findings}
    assert "ca\u200bmera" in evidence["1"]
    assert "\u0441losed session" in evidence["2"]


def test_auditing_twice_gives_the_same_findings() -> None:
    case = SPEC["cases"][0]
    rules = enabled_rules(POLICY)
    assert evaluate(build_context(case), rules) == evaluate(build_context(case), rules)


def test_a_disabled_rule_does_not_run(tmp_path: Path) -> None:
    text = (HERE.parent / "config" / "policy.yaml").read_text(encoding="utf-8")
    patched = tmp_path / "policy.yaml"
    patched.write_text(
        text.replace("  tone:\n    severity: medium", "  tone:\n    enabled: false\n    severity: medium")
    )
    assert "tone" not in {r.id for r in enabled_rules(load_policy(patched))}
    assert "tone" in {r.id for r in enabled_rules(POLICY)}


DOCS = (HERE.parent / "docs" / "rules.md").read_text(encoding="utf-8")
# Where a documented example is posted: a time inside the defaults' meeting or emergency window,
# and under a City post for the rule about comments on City accounts.
EXAMPLE_AT = {"in-camera": "2026-11-17T09:00", "decision-before-release": "2026-11-17T08:00",
              "emergency-protocol": "2026-11-18T09:00", "official-account-politics": "2026-11-21T09:30",
              "tone": "2026-11-17T09:00"}


def _section(rule_id: str) -> str:
    start = DOCS.index(f"\n## `{rule_id}`\n")
    end = DOCS.find("\n## ", start + 1)
    return DOCS[start:end if end > 0 else None]


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_docs_describe_every_rule_with_its_clause_and_every_key(rule_id: str) -> None:
    section = _section(rule_id)
    params = POLICY.params[rule_id]
    for clause in {params.clause, getattr(params, "topics_clause", params.clause)}:
        assert f"`{clause}`" in section, f"{rule_id}: the section names its clause"
        quoted = f"{clause}: \"{POLICY.clause_text(clause)}\"" in section
        assert quoted or f"`{clause}` (see above)" in section, f"{rule_id}: quote {clause} as policy.yaml does"
    for key, _ in params:
        if key not in ("enabled", "severity", "clause"):
            assert f"`{key}`" in section, f"{rule_id}: docs/rules.md does not explain `{key}`"


def _examples() -> list[tuple[str, str, str]]:
    found = []
    for rule_id in EXAMPLE_AT:
        for line in _section(rule_id).splitlines():
            for verdict in ("fires", "silent"):
                prefix = f"**{verdict}**: "
                if line.startswith(prefix):
                    found.append((rule_id, verdict, line[len(prefix):]))
    return found


@pytest.mark.parametrize(("rule_id", "verdict", "text"), _examples(), ids=lambda v: str(v)[:40])
def test_the_examples_in_the_docs_do_what_they_say(rule_id: str, verdict: str, text: str) -> None:
    posts = [{"id": "1", "by": "tom", "at": EXAMPLE_AT[rule_id], "text": text}]
    if rule_id == "official-account-politics":
        posts = [{"id": "p", "by": "city", "at": "2026-11-21T09:00", "text": "Budget survey: have your say."},
                 {"id": "1", "by": "tom", "parent": "p", "at": EXAMPLE_AT[rule_id], "text": text}]
    findings = evaluate(build_context({"posts": posts}), enabled_rules(POLICY, only=[rule_id]))
    assert [f.subject for f in findings] == (["1"] if verdict == "fires" else [])


def test_every_documented_rule_is_a_rule() -> None:
    documented = {line[4:-1] for line in DOCS.splitlines() if line.startswith("## `")}
    assert documented == set(REGISTRY)
