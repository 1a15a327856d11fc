"""The archive in the browser: search (the CLI's semantics), councillors' pages, a post's page
with every version, its thread and the raw capture it came from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request

from auditor.platforms import NAMES
from auditor.service.web import common
from auditor.service.web.findings import day_start, parse_day

blueprint = Blueprint("archive", __name__)


@blueprint.route("/search")
@common.requires("search")
def search() -> Any:
    from auditor.archive.search import search as search_archive

    q = request.args.get("q", "").strip()
    councillor = request.args.get("councillor", "").strip()
    platform = request.args.get("platform", "").strip()
    first, last = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    hits = None
    if q:
        hits = search_archive(
            common.web().store, q, platform=platform if platform in NAMES else None, councillor=councillor or None,
            start=day_start(first), end=day_start(last + timedelta(days=1)) if last else None,
        )
        described = " ".join(f"{k}={v}" for k, v in request.args.items() if v and k != "q")
        common.audit("search", q, described)
    names = [c.name for c in common.web().settings.councillors]
    return render_template("search.html", q=q, hits=hits, councillor=councillor, platform=platform,
                           first=request.args.get("from", ""), last=request.args.get("to", ""), names=names,
                           platforms=NAMES)


@blueprint.route("/councillors")
@common.requires("read")
def councillors() -> Any:
    settings = common.web().settings
    return render_template("councillors.html", councillors=settings.councillors)


@blueprint.route("/councillors/<name>")
@common.requires("read")
def councillor(name: str) -> Any:
    ctx = common.web()
    person = next((c for c in ctx.settings.councillors if c.name.lower() == name.lower()), None)
    if person is None:
        return common.refuse(f"No councillor is called {name!r} in the configuration.", 404)
    handles = {(a.platform, a.handle.lower()) for a in person.accounts}
    accounts = [a for a in ctx.store.accounts() if (a.platform, a.handle.lower()) in handles]
    activity = ctx.store.account_activity()
    findings = ctx.store.findings_about(councillor=person.name)
    responses = [f for f in findings if f.rule == "response-time"]
    return render_template("councillor.html", person=person, accounts=accounts, activity=activity,
                           findings=findings, responses=responses)


@blueprint.route("/posts/<platform>/<path:post_id>")
@common.requires("read")
def post(platform: str, post_id: str) -> Any:
    store = common.web().store
    detail = store.post_detail(platform, post_id)
    if detail is None:
        return common.refuse("That post is not in the archive.", 404)
    parent, replies = store.thread(platform, post_id)
    common.audit("view-post", f"{platform} post {post_id}")
    return render_template("post.html", post=detail, parent=parent, replies=replies,
                           findings=store.findings_about(platform=platform, post_id=post_id))
