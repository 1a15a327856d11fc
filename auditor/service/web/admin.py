"""For admins: users (list and add) and the audit log with its chain check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from auditor.records import ROLES
from auditor.service.web import common

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 100


@blueprint.route("/users", methods=["GET", "POST"])
@common.requires("admin")
def users() -> Any:
    store = common.web().store
    error = None
    if request.method == "POST":
        name, role = request.form.get("name", "").strip(), request.form.get("role", "")
        password = request.form.get("password", "")
        if len(password) < 12:
            error = "Choose a password of at least 12 characters."
        else:
            try:
                store.add_user(name, role, password, common.now())
            except ValueError as exc:
                error = str(exc)
        if error is None:
            common.audit("add-user", name, role)
            flash(f"User {name} ({role}) added.")
            return redirect(url_for("admin.users"))
    settings = common.web().settings
    return render_template("users.html", users=store.users(), roles=ROLES, error=error,
                           settings=settings), (400 if error else 200)


@blueprint.route("/audit-log")
@common.requires("admin")
def audit_log() -> Any:
    store = common.web().store
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    entries, total = store.audit_log(limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("audit_log.html", entries=entries, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), check=store.check_audit_log())
