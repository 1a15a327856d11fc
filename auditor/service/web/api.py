"""The JSON API (DESIGN.md, "(contract) Web"): the findings in the findings-JSON shape, and
decisions on them. A session or `Authorization: Bearer TOKEN`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request

from auditor.records import SEVERITIES, severity_rank
from auditor.service.web import common
from auditor.service.web.findings import DecisionError, parse_day, record_decision
from reports.findings_json import finding_dict

blueprint = Blueprint("api", __name__, url_prefix="/api")


@blueprint.route("/findings")
@common.requires("read")
def findings() -> Any:
    """The CLI's filters: status, severity (this and worse, like `findings --severity`), rule,
    councillor, since (a day: findings first found on or after it)."""
    ctx = common.web()
    args = request.args
    since = None
    if args.get("since"):
        day = parse_day(args["since"])
        if day is None:
            return jsonify(error="since: use a date like 2026-11-16"), 400
        since = datetime.combine(day, datetime.min.time(), ctx.settings.council.tz)
    severity = args.get("severity")
    if severity and severity not in SEVERITIES:
        return jsonify(error=f"severity: one of {', '.join(SEVERITIES)}"), 400
    rows = [
        r for r in ctx.store.findings(since=since)
        if (not severity or severity_rank(r.severity) >= severity_rank(severity))
        and (not args.get("status") or r.status == args["status"])
        and (not args.get("rule") or r.rule == args["rule"])
        and (not args.get("councillor") or (r.councillor or "").lower() == args["councillor"].lower())
    ]
    common.audit("api-findings", request.query_string.decode("utf-8", "replace"), f"{len(rows)} findings")
    return jsonify([finding_dict(r, ctx.settings) for r in rows])


@blueprint.route("/findings/<int:finding_id>/decisions", methods=["POST"])
@common.requires("decide")
def decide(finding_id: int) -> Any:
    who = common.user()
    assert who is not None
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        shape = '{"decision": "acknowledge" | "dismiss" | "escalate", "note": "..."}'
        return jsonify(error=f"send a JSON object: {shape}"), 400
    decision, note = body.get("decision"), body.get("note", "")
    if decision not in ("acknowledge", "dismiss", "escalate") or not isinstance(note, str):
        return jsonify(error='decision: "acknowledge", "dismiss" or "escalate"; note: text'), 400
    if common.web().store.finding(finding_id) is None:
        return jsonify(error=f"there is no finding #{finding_id}"), 404
    try:
        outcome = record_decision(finding_id, decision, note, who.name)
    except DecisionError as exc:
        return jsonify(error=str(exc)), 400
    last = common.web().store.decisions(finding_id)[-1]
    return jsonify(
        finding=finding_dict(outcome.finding, common.web().settings),
        decision={"action": last.action, "note": last.note, "by": last.by, "at": last.at.isoformat()},
    ), 201
