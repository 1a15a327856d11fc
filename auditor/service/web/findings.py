"""The findings queue and a finding's page, and decisions on findings (one, or several at once).

A decision goes through `Store.decide`, the method `auditor review` uses, by the signed-in
user's name, with the note required exactly where the command line requires it: to dismiss or
to escalate. Reopening (which the command line leaves to re-audits) needs a note too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from auditor.records import SEVERITIES, StoredFinding
from auditor.service.web import common
from auditor.service.web.templating import DECISIONS, STATUSES

blueprint = Blueprint("findings", __name__)
PAGE = 25  # a screenful to review; the rest a "Next page" away (and the page stays fast)


class DecisionError(ValueError):
    """A decision that cannot be recorded: the message says why, worded for the reviewer."""


@dataclass(frozen=True)
class Outcome:
    finding: StoredFinding
    action: str


def record_decision(finding_id: int, decision: str, note: str, by: str) -> Outcome:
    """Record one decision as `auditor review` does; DecisionError or KeyError when it cannot be."""
    store, now = common.web().store, common.now()
    note = note.strip()
    if decision == "reopen":
        if not note:
            raise DecisionError("Say why the finding is reopened in the note.")
        found = store.reopen(finding_id, note, by, now)
        action = "reopened"
    else:
        action = DECISIONS.get(decision, "")
        if not action:
            raise DecisionError("Choose acknowledge, dismiss or escalate.")
        if action in ("dismissed", "escalated") and not note:
            raise DecisionError(f"A finding is only {action} with a note saying why.")
        found = store.decide(finding_id, action, note, by, now)
    common.audit("decide", f"finding {finding_id}", f"{action}: {note}" if note else action)
    return Outcome(found, action)


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time(), common.web().settings.council.tz) if day else None


def _filter_args() -> dict[str, str]:
    keys = ("status", "severity", "rule", "councillor", "platform", "from", "to")
    return {k: request.args.get(k, "").strip() for k in keys if request.args.get(k, "").strip()}


@blueprint.route("/")
@common.requires("read")
def home() -> Any:
    return redirect(url_for("findings.queue"))


@blueprint.route("/findings")
@common.requires("read")
def queue() -> Any:
    from auditor.archive.browse import FindingFilter

    args = _filter_args()
    first, last = parse_day(args.get("from")), parse_day(args.get("to"))
    f = FindingFilter(
        status=args.get("status") if args.get("status") in STATUSES else None,
        severity=args.get("severity") if args.get("severity") in SEVERITIES else None,
        rule=args.get("rule"), councillor=args.get("councillor"), platform=args.get("platform"),
        start=day_start(first), end=day_start(last + timedelta(days=1)) if last else None,
    )
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    store = common.web().store
    result = store.findings_page(f, limit=PAGE, offset=(page - 1) * PAGE)
    pages = max(1, -(-result.total // PAGE))
    return render_template(
        "queue.html", result=result, args=args, choices=store.finding_choices(), page=page, pages=pages,
        filtered=bool(args),
    )


@blueprint.route("/findings/decide", methods=["POST"])
@common.requires("decide")
def decide_many() -> Any:
    who = common.user()
    assert who is not None
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    back = request.form.get("back", "")
    target = back if back.startswith("/findings") else url_for("findings.queue")
    if not ids:
        flash("Select at least one finding first.", "error")
        return redirect(target)
    decision, note = request.form.get("decision", ""), request.form.get("note", "")
    done: list[int] = []
    try:
        for finding_id in ids:
            done.append(record_decision(finding_id, decision, note, who.name).finding.id)
    except (DecisionError, KeyError) as exc:
        flash(str(exc.args[0]) if isinstance(exc, DecisionError) else f"There is no finding #{exc.args[0]}.", "error")
        return redirect(target)
    flash(f"{len(done)} finding{'s' if len(done) != 1 else ''} {DECISIONS.get(decision, 'reopened')}: "
          + ", ".join(f"#{i}" for i in done) + ".")
    return redirect(target)


@blueprint.route("/findings/<int:finding_id>")
@common.requires("read")
def finding_page(finding_id: int) -> Any:
    return _show(finding_id)


def _show(finding_id: int, error: str | None = None, note: str = "", decision: str = "", status: int = 200) -> Any:
    ctx = common.web()
    store = ctx.store
    finding = store.finding(finding_id)
    if finding is None:
        return common.refuse(f"There is no finding #{finding_id}.", 404)
    post = store.post_detail(finding.platform, finding.post_id) if finding.post_id else None
    parent, replies = store.thread(finding.platform, finding.post_id) if finding.post_id else (None, [])
    if status == 200:
        common.audit("view-finding", f"finding {finding_id}")
    return render_template(
        "finding.html", f=finding, post=post, parent=parent, replies=replies,
        history=store.decisions(finding_id), clause_text=ctx.settings.policy.clause_text(finding.clause),
        error=error, note=note, decision=decision,
    ), status


@blueprint.route("/findings/<int:finding_id>/decide", methods=["POST"])
@common.requires("decide")
def decide_one(finding_id: int) -> Any:
    who = common.user()
    assert who is not None
    decision, note = request.form.get("decision", ""), request.form.get("note", "")
    try:
        outcome = record_decision(finding_id, decision, note, who.name)
    except DecisionError as exc:
        return _show(finding_id, str(exc), note, decision, 400)
    except KeyError:
        return common.refuse(f"There is no finding #{finding_id}.", 404)
    flash(f"Finding #{finding_id} is now {outcome.finding.status}.")
    return redirect(url_for("findings.finding_page", finding_id=finding_id))
