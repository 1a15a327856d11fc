"""Reports in the browser: the saved weekly reports, an ad hoc audit report, and the status page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request, send_from_directory

from auditor.service.web import common
from auditor.service.web.findings import parse_day

blueprint = Blueprint("reports", __name__)

# A saved report carries inline styles and data: images, and no script of its own: allow exactly that.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _saved() -> list[str]:
    folder = common.web().settings.reports_dir
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir() if p.suffix in (".html", ".txt") and p.is_file()), reverse=True)


@blueprint.route("/reports")
@common.requires("read")
def index() -> Any:
    names = _saved()
    return render_template("reports.html", reports=[n for n in names if n.endswith(".html")],
                           texts={n for n in names if n.endswith(".txt")},
                           councillors=common.web().settings.councillors)


@blueprint.route("/reports/saved/<name>")
@common.requires("read")
def saved(name: str) -> Any:
    if name not in _saved():  # only what the listing shows: no path reaches outside the folder
        return common.refuse("There is no such report.", 404)
    response = send_from_directory(common.web().settings.reports_dir, name)
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@blueprint.route("/reports/audit")
@common.requires("read")
def adhoc() -> Any:
    """The ad hoc audit report for a slice (councillor, account, period), from the archive as it is."""
    from reports.period import date_range

    ctx = common.web()
    first, last = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    if first is None or last is None or last < first or (last - first) > timedelta(days=366):
        return common.refuse("Give a first and a last day (at most a year apart) for the audit report.", 400)
    from auditor.service import reporting

    councillor = request.args.get("councillor", "").strip() or None
    account = request.args.get("account", "").strip().lstrip("@") or None
    period = date_range(first, last, ctx.settings.council.tz, common.now())
    rendered = reporting.make_report(ctx.settings, ctx.store, common.now(), period, title="Audit report",
                                     councillor=councillor, account=account)
    common.audit("audit-report", period.label, f"councillor={councillor or ''} account={account or ''}")
    response = ctx_response(rendered.html)
    return response


def ctx_response(html: str) -> Any:
    from flask import make_response

    response = make_response(html)
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@blueprint.route("/status")
@common.requires("read")
def status() -> Any:
    from auditor.service.status import read_status

    ctx = common.web()
    state = read_status(ctx.settings, ctx.store, common.now(), last_runs=10)
    degraded = [a for a in ctx.store.accounts() if a.last_error]
    return render_template("status.html", state=state, degraded=degraded, accounts=ctx.store.accounts())
