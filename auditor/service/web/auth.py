"""Signing in and out, who is asking (session cookie or bearer token), and CSRF on every POST.

Sign-in attempts are rate-limited in the archive, so the limit holds across restarts and
processes: after `PER_NAME` failures for one user name, or `PER_ADDRESS` from one address,
within `WINDOW`, further attempts are refused with 429 until the window has passed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from auditor.service.web import common, csrf

blueprint = Blueprint("auth", __name__)

WINDOW = timedelta(minutes=15)
PER_NAME = 5
PER_ADDRESS = 20  # an office behind one NAT address shares this


@blueprint.before_app_request
def _identify() -> Any:
    g.user = None
    g.via_token = False
    store, now = common.web().store, common.now()
    header = request.headers.get("Authorization", "")
    if common.is_api() and header[:7].lower() == "bearer ":
        g.user = store.user_for_token(header[7:].strip(), now)
        g.via_token = g.user is not None
        if g.user is None:
            return {"error": "the bearer token is not valid"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return None
    name, signed_in = session.get("user"), session.get("signed_in")
    if isinstance(name, str) and isinstance(signed_in, (int, float)):
        expired = now.timestamp() - signed_in > common.web().settings.web.session_hours * 3600
        found = store.user(name) if not expired else None
        if found is None or found.disabled:
            session.pop("user", None)
        else:
            g.user = found
    if request.method == "POST" and not g.via_token:
        if common.is_api():
            if not request.is_json:
                return {"error": "send JSON (Content-Type: application/json)"}, 415
        elif not csrf.valid(request.form.get(csrf.FIELD)):
            return common.refuse("This form has expired or did not come from this site. Go back, reload and try again.",
                                 400)
    return None


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never "//host" or "https://host", which would send the user away.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("findings.queue")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""), error=None, username="")
    store, now = common.web().store, common.now()
    name = request.form.get("username", "").strip()[:255]
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    since = now - WINDOW
    if (store.failed_sign_ins(since, name=name) >= PER_NAME
            or store.failed_sign_ins(since, address=address) >= PER_ADDRESS):
        store.log_event("", "sign-in-refused", name, f"too many failed attempts; from {address}", now)
        minutes = int(WINDOW.total_seconds() // 60)
        return render_template("login.html", next=request.form.get("next", ""), username=name,
                               error=f"Too many failed sign-ins. Wait {minutes} minutes and try again."), 429
    found = store.check_password(name, password) if name and password else None
    store.record_sign_in(name, address, found is not None, now)
    if found is None:
        store.log_event("", "sign-in-failed", name, f"from {address}", now)
        return render_template("login.html", next=request.form.get("next", ""), username=name,
                               error="That user name and password do not match."), 401
    session.clear()  # a fresh session (and CSRF token) at each sign-in: no fixation
    session.permanent = True
    session["user"], session["signed_in"] = found.name, now.timestamp()
    store.log_event(found.name, "sign-in", "", f"from {address}", now)
    return redirect(_safe_next(request.form.get("next")))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    who = common.user()
    if who is not None:
        common.audit("sign-out")
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


@blueprint.app_errorhandler(404)
def _not_found(_error: Exception) -> Any:
    if common.is_api():
        return {"error": "not found"}, 404
    return render_template("error.html", message="There is nothing at this address.", status=404), 404

