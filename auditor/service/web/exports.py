"""FOIP exports from a form: `auditor export` into a temporary folder, checked with
`verify_export`, shown, and downloaded as one zip of that folder.

An export is kept (in a temporary folder, for this process) until the web app stops; only the
user who asked for it, or an admin, can download it.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for

from auditor.service.web import common
from auditor.service.web.findings import parse_day

blueprint = Blueprint("exports", __name__)


@dataclass(frozen=True)
class Done:
    owner: str
    name: str
    folder: Path
    zip_path: Path
    summary: str
    problems: list[str]
    verified: str
    counts: dict[str, Any]


class Exports:
    """The exports this process made, by random id."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="auditor-web-exports-"))
        self.lock = threading.Lock()
        self.done: dict[str, Done] = {}


def _exports() -> Exports:
    found = current_app.extensions.get("auditor_exports")
    if found is None:
        found = current_app.extensions["auditor_exports"] = Exports()
    assert isinstance(found, Exports)
    return found


@blueprint.route("/exports", methods=["GET", "POST"])
@common.requires("export")
def form() -> Any:
    settings = common.web().settings
    values = {k: request.form.get(k, "").strip() for k in ("from", "to", "councillor", "account", "query")}
    if request.method == "GET":
        return render_template("export.html", values=values, error=None, councillors=settings.councillors)
    first, last = parse_day(values["from"]), parse_day(values["to"])
    if first is None or last is None or last < first:
        error = "Give the first and the last day of the period (the last on or after the first)."
        return render_template("export.html", values=values, councillors=settings.councillors, error=error), 400
    from auditor.archive.export import Request, export, verify_export
    from reports.period import date_range

    who = common.user()
    assert who is not None
    period = date_range(first, last, settings.council.tz, common.now())
    store = _exports()
    key = secrets.token_urlsafe(16)
    name = f"foip-{first.isoformat()}-to-{last.isoformat()}"
    folder = store.root / key / name
    summary = export(common.web().store, Request(period.start, period.end, values["councillor"] or None,
                                                 values["account"] or None, values["query"] or None),
                     folder, common.now())
    problems, verified = verify_export(folder)
    verified = verified.replace(str(folder), name)  # the server's temporary path is nobody's business
    zip_path = store.root / key / f"{name}.zip"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{name}/{path.relative_to(folder).as_posix()}")
    counts = {"posts": summary.posts, "deleted": summary.deleted, "versions": summary.versions,
              "replies around them": summary.context, "findings": summary.findings, "raw bodies": summary.captures}
    with store.lock:
        store.done[key] = Done(who.name, name, folder, zip_path, period.label, problems, verified, counts)
    asked = " ".join(f"{k}={v}" for k, v in values.items() if v and k not in ("from", "to"))
    common.audit("export", period.label, asked)
    return redirect(url_for("exports.result", key=key))


def _mine(key: str) -> Done | None:
    done = _exports().done.get(key)
    who = common.user()
    if done is None or who is None or (done.owner != who.name and who.role != "admin"):
        return None
    return done


@blueprint.route("/exports/<key>")
@common.requires("export")
def result(key: str) -> Any:
    done = _mine(key)
    if done is None:
        return common.refuse("There is no such export (exports last until the web app restarts).", 404)
    return render_template("export_done.html", done=done, key=key)


@blueprint.route("/exports/<key>/download")
@common.requires("export")
def download(key: str) -> Any:
    done = _mine(key)
    if done is None:
        return common.refuse("There is no such export (exports last until the web app restarts).", 404)
    common.audit("export-download", done.name)
    return send_file(done.zip_path, mimetype="application/zip", as_attachment=True, download_name=f"{done.name}.zip")


def remove_all(exports: Exports) -> None:
    shutil.rmtree(exports.root, ignore_errors=True)
