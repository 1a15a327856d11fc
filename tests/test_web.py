"""The web app through Flask's test client: every page for every role, sign-in, CSRF, the API
contract, decisions shared with `auditor review`, hostile text, exports and the audit log."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from auditor.archive.store import Store
from auditor.cli import cli
from auditor.config.settings import Settings, load_settings
from auditor.records import Finding
from auditor.service.cycle import open_store
from auditor.service.web import WebContext, create_app
from tests.conftest import NOW, ROOT
from tests.fakes import HOSTILE, page, post

PASSWORD = "correct horse battery staple"
# Most of these tests are about the web layer, not the database: SQLite alone keeps them quick. The
# API contract, decisions and the audit log's chain also run on PostgreSQL where one answers.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ROLES = ("viewer", "reviewer", "clerk", "admin")
CONTRACT_KEYS = {"id", "rule", "severity", "clause", "platform", "account", "post_id", "url", "posted_at",
                 "evidence", "status"}


@dataclass
class Site:
    app: Flask
    store: Store
    settings: Settings
    config: Path
    hostile_id: int  # a finding on a post of hostile text with a javascript: URL

    def client(self, role: str | None = None) -> FlaskClient:
        client = self.app.test_client()
        if role is not None:
            response = sign_in(client, role, PASSWORD)
            assert response.status_code == 302, response.get_data(as_text=True)
        return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a CSRF field"
    return found.group(1)


def sign_in(client: FlaskClient, name: str, password: str):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token})


def auditor(config: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, *args], input=stdin,
                              catch_exceptions=False)


def make_site(config: Path, **web: str) -> Site:
    if web:
        text = config.read_text(encoding="utf-8") + "web: {" + ", ".join(f"{k}: {v}" for k, v in web.items()) + "}\n"
        config.write_text(text, encoding="utf-8")
    settings = load_settings(config)
    store = open_store(settings)
    now = datetime.fromisoformat(NOW)
    for role in ROLES:
        if store.user(role) is None:
            store.add_user(role, role, PASSWORD, now)
    hostile = post("9001", HOSTILE, at=now - timedelta(days=6))
    hostile = type(hostile)(**{**hostile.__dict__, "url": "javascript:alert(document.cookie)"})
    store.ingest("x", "JaneDoe", [page(hostile)], now - timedelta(days=5), "replay")
    store.save_findings([Finding(
        rule="tone", severity="medium", clause="F.1", platform="x", account="JaneDoe", subject="9001",
        post_id="9001", url="javascript:alert(document.cookie)", posted_at=hostile.created_at,
        evidence='<img src=x onerror=alert(1)>', reason="Hostile <b>reason</b>", councillor="Jane Doe",
    )], now)
    hostile_id = next(f.id for f in store.findings() if f.post_id == "9001")
    app = create_app(WebContext(settings, store, lambda: now, {"AUDITOR_WEB_SECRET": "test-secret"}))
    return Site(app, store, settings, config, hostile_id)


@pytest.fixture
def site(archived: Path) -> Site:
    return make_site(archived)


def decision_finding(site: Site) -> int:
    return next(f.id for f in site.store.findings() if f.rule == "decision-before-release")


# -- who may see what ---------------------------------------------------------------------------

PAGES = {  # GET path -> the right it needs
    "/findings": "read",
    "/findings/1": "read",
    "/councillors": "read",
    "/councillors/Jane Doe": "read",
    "/posts/x/9001": "read",
    "/reports": "read",
    "/status": "read",
    "/search?q=ring": "search",
    "/exports": "export",
    "/admin/users": "admin",
    "/admin/audit-log": "admin",
}
RIGHTS = {
    "viewer": {"read"},
    "reviewer": {"read", "decide"},
    "clerk": {"read", "search", "export"},
    "admin": {"read", "decide", "search", "export", "admin"},
}


@SQLITE_ONLY
def test_every_page_sends_a_stranger_to_sign_in_and_the_api_answers_401(site: Site) -> None:
    client = site.client()
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], path
    assert client.get("/api/findings").status_code == 401
    assert client.post("/api/findings/1/decisions", json={"decision": "acknowledge"}).status_code == 401
    bad = client.get("/api/findings", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


@SQLITE_ONLY
def test_each_role_sees_exactly_the_pages_its_rights_allow(site: Site) -> None:
    for role in ROLES:
        client = site.client(role)
        for path, right in PAGES.items():
            status = client.get(path).status_code
            assert status == (200 if right in RIGHTS[role] else 403), (role, path, status)
        queue = client.get("/findings").get_data(as_text=True)
        assert ('name="ids"' in queue) == ("decide" in RIGHTS[role]), "only deciders get the select-and-apply form"
        fid = decision_finding(site)
        token = csrf_of(client.get(f"/findings/{fid}").get_data(as_text=True))
        decided = client.post(f"/findings/{fid}/decide", data={"decision": "acknowledge", "csrf_token": token})
        assert decided.status_code == (302 if "decide" in RIGHTS[role] else 403), role
        exported = client.post("/exports", data={"from": "2026-11-01", "to": "2026-11-02", "csrf_token": token})
        assert exported.status_code == (302 if "export" in RIGHTS[role] else 403), role
        added = client.post("/admin/users", data={"name": f"new-{role}", "role": "viewer",
                                                  "password": "a long enough password", "csrf_token": token})
        assert added.status_code == (302 if "admin" in RIGHTS[role] else 403), role


@SQLITE_ONLY
def test_a_form_posted_without_its_csrf_token_is_refused(site: Site) -> None:
    client = site.client("reviewer")
    fid = decision_finding(site)
    refused = client.post(f"/findings/{fid}/decide", data={"decision": "acknowledge"})
    assert refused.status_code == 400
    wrong = client.post(f"/findings/{fid}/decide", data={"decision": "acknowledge", "csrf_token": "forged"})
    assert wrong.status_code == 400
    assert site.store.finding(fid).status == "open"
    assert site.app.test_client().post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 400


@SQLITE_ONLY
def test_session_cookie_is_http_only_same_site_and_secure_behind_https(archived: Path) -> None:
    plain = make_site(archived)
    cookie = sign_in(plain.app.test_client(), "viewer", PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = make_site(archived, base_url="https://auditor.example.org")
    cookie = sign_in(secure.app.test_client(), "viewer", PASSWORD).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


@SQLITE_ONLY
def test_sign_in_is_refused_after_five_failures_for_a_user_name(site: Site) -> None:
    client = site.app.test_client()
    for _ in range(5):
        assert sign_in(client, "reviewer", "wrong password").status_code == 401
    blocked = sign_in(client, "reviewer", PASSWORD)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.get_data(as_text=True)
    assert sign_in(site.app.test_client(), "viewer", PASSWORD).status_code == 302, "other names are not blocked"


@SQLITE_ONLY
def test_sign_in_sends_the_user_back_only_to_a_page_of_this_site(site: Site) -> None:
    client = site.app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/phish"})
    assert response.headers["Location"] == "/findings"


# -- the API contract ---------------------------------------------------------------------------


def test_api_findings_is_the_findings_json_of_the_command_line(site: Site) -> None:
    token = auditor(site.config, "users", "token", "viewer").output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    response = site.app.test_client().get("/api/findings", headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data == json.loads(auditor(site.config, "findings", "--format", "json").output)
    assert all(CONTRACT_KEYS <= set(f) for f in data) and data
    high = site.app.test_client().get("/api/findings?severity=medium&status=open", headers=headers).get_json()
    assert {f["severity"] for f in high} <= {"medium", "high"} and all(f["status"] == "open" for f in high)
    jane = site.app.test_client().get("/api/findings?councillor=jane%20doe&rule=tone", headers=headers).get_json()
    assert [f["post_id"] for f in jane] == ["9001"]
    assert site.app.test_client().get("/api/findings?since=2999-01-01", headers=headers).get_json() == []
    session = site.client("viewer").get("/api/findings")
    assert session.status_code == 200 and session.get_json() == data


def test_api_decisions_answer_201_400_401_403_and_show_in_auditor_review(site: Site) -> None:
    fid = decision_finding(site)
    tokens = {role: auditor(site.config, "users", "token", role).output.strip().splitlines()[-1] for role in ROLES}

    def decide(role: str | None, body: object):
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        return site.app.test_client().post(f"/api/findings/{fid}/decisions", json=body, headers=headers)

    assert decide(None, {"decision": "acknowledge"}).status_code == 401
    assert decide("viewer", {"decision": "acknowledge"}).status_code == 403
    assert decide("clerk", {"decision": "acknowledge"}).status_code == 403
    missing = decide("reviewer", {"decision": "dismiss", "note": "  "})
    assert missing.status_code == 400 and "note" in missing.get_json()["error"]
    assert decide("reviewer", {"decision": "escalate"}).status_code == 400
    assert decide("reviewer", {"decision": "delete"}).status_code == 400
    done = decide("reviewer", {"decision": "dismiss", "note": "Decision was announced in public"})
    assert done.status_code == 201
    assert done.get_json()["finding"]["status"] == "dismissed" and done.get_json()["decision"]["by"] == "reviewer"
    assert decide("admin", {"decision": "acknowledge"}).status_code == 201
    history = auditor(site.config, "review", str(fid)).output
    assert "dismissed    by reviewer: Decision was announced in public" in history
    assert "acknowledged by admin" in history
    unknown = site.app.test_client().post("/api/findings/9999/decisions", json={"decision": "acknowledge"},
                                          headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert unknown.status_code == 404


@SQLITE_ONLY
def test_api_with_a_session_accepts_only_json(site: Site) -> None:
    client = site.client("reviewer")
    fid = decision_finding(site)
    assert client.post(f"/api/findings/{fid}/decisions", data={"decision": "acknowledge"}).status_code == 415
    assert client.post(f"/api/findings/{fid}/decisions", json={"decision": "acknowledge"}).status_code == 201


# -- decisions in the browser -------------------------------------------------------------------


def test_a_decision_made_in_the_web_shows_in_auditor_review(site: Site) -> None:
    client = site.client("reviewer")
    fid = decision_finding(site)
    token = csrf_of(client.get(f"/findings/{fid}").get_data(as_text=True))
    refused = client.post(f"/findings/{fid}/decide", data={"decision": "dismiss", "note": "", "csrf_token": token})
    assert refused.status_code == 400 and "only dismissed with a note" in refused.get_data(as_text=True)
    done = client.post(f"/findings/{fid}/decide",
                       data={"decision": "dismiss", "note": "Announced in the public session", "csrf_token": token})
    assert done.status_code == 302
    shown = client.get(f"/findings/{fid}").get_data(as_text=True)
    assert "is now dismissed" in shown and "Announced in the public session" in shown
    assert "by reviewer: Announced in the public session" in auditor(site.config, "review", str(fid)).output
    assert json.loads(auditor(site.config, "findings", "--format", "json").output)[0]["status"] == "dismissed"
    reopen = client.post(f"/findings/{fid}/decide", data={"decision": "reopen", "note": "", "csrf_token": token})
    assert reopen.status_code == 400
    client.post(f"/findings/{fid}/decide", data={"decision": "reopen", "note": "Look again", "csrf_token": token})
    assert site.store.finding(fid).status == "open"
    assert "reopened" in auditor(site.config, "review", str(fid)).output


@SQLITE_ONLY
def test_several_findings_are_decided_at_once_from_the_queue(site: Site) -> None:
    client = site.client("admin")
    ids = [f.id for f in site.store.findings()]
    token = csrf_of(client.get("/findings").get_data(as_text=True))
    form = {"ids": [str(i) for i in ids], "decision": "escalate", "note": "", "csrf_token": token}
    client.post("/findings/decide", data=form)
    assert {site.store.finding(i).status for i in ids} == {"open"}, "escalating needs a note, for all of them"
    form["note"] = "Call the councillor"
    response = client.post("/findings/decide", data=form, follow_redirects=True)
    assert f"{len(ids)} findings escalated" in response.get_data(as_text=True)
    assert {site.store.finding(i).status for i in ids} == {"escalated"}


@SQLITE_ONLY
def test_the_queue_puts_open_findings_first_and_filters(site: Site) -> None:
    client = site.client("viewer")
    site.store.decide(site.hostile_id, "acknowledged", "", "someone", datetime.fromisoformat(NOW))
    html = client.get("/findings").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'href="/findings/(\d+)"', html)]
    statuses = [site.store.finding(i).status for i in order]
    assert statuses == sorted(statuses, key=lambda s: s != "open"), "open first"
    assert order[0] == decision_finding(site), "the high one leads"
    high = client.get("/findings?severity=high").get_data(as_text=True)
    assert set(re.findall(r'href="/findings/(\d+)"', high)) == {str(decision_finding(site))}
    assert "No findings match." in client.get("/findings?councillor=Nobody").get_data(as_text=True)
    assert "No findings match." in client.get("/findings?from=2030-01-01").get_data(as_text=True)


# -- everything escaped -------------------------------------------------------------------------


@SQLITE_ONLY
def test_hostile_post_text_is_escaped_and_a_javascript_url_is_never_a_link(site: Site) -> None:
    client = site.client("admin")
    for path in (f"/findings/{site.hostile_id}", "/findings", "/posts/x/9001", "/search?q=evil"):
        html = client.get(path).get_data(as_text=True)
        body = html.split("<body>", 1)[1]
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert 'href="javascript:' not in html, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in body or path == "/search?q=evil", path
    finding = client.get(f"/findings/{site.hostile_id}").get_data(as_text=True)
    assert "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>" in finding, "the evidence span is marked, escaped"
    assert "Hostile &lt;b&gt;reason&lt;/b&gt;" in finding
    assert "Address (not a web link): javascript:alert(document.cookie)" in finding
    assert "default-src 'none'" in client.get("/findings").headers["Content-Security-Policy"]


# -- archive, reports, exports ------------------------------------------------------------------


@SQLITE_ONLY
def test_a_post_page_shows_its_versions_marked_and_its_capture(site: Site) -> None:
    now = datetime.fromisoformat(NOW)
    site.store.ingest("x", "JaneDoe", [page(post("9002", "The ring road vote is tonight"))], now, "replay")
    site.store.ingest("x", "JaneDoe", [page(post("9002", "The ring road vote was tonight"))], now + timedelta(hours=1),
                      "replay")
    html = site.client("viewer").get("/posts/x/9002").get_data(as_text=True)
    assert "<del>is</del><ins>was</ins>" in html
    assert "Earlier versions (2 texts)" in html
    captured = site.store.finding(decision_finding(site)).post_id  # a post from a recorded body
    detail = site.store.post_detail("x", captured)
    capture = site.client("viewer").get(f"/posts/x/{captured}").get_data(as_text=True)
    assert f"<td>#{detail.versions[0].capture_seq}</td>" in capture, "the chain position of its raw body"
    assert detail.versions[0].capture_sha256 in capture and "Received" in capture


@SQLITE_ONLY
def test_search_uses_the_archive_search_and_is_logged(site: Site) -> None:
    client = site.client("clerk")
    html = client.get("/search?q=%C3%A9VIL").get_data(as_text=True)  # accents and case ignored
    assert "1 post match" in html and "/posts/x/9001" in html
    entries, _ = site.store.audit_log(action="search")
    assert entries[0].user == "clerk" and entries[0].target == "éVIL"


@SQLITE_ONLY
def test_an_export_is_made_verified_and_downloaded_as_one_zip(site: Site, tmp_path: Path) -> None:
    client = site.client("clerk")
    token = csrf_of(client.get("/exports").get_data(as_text=True))
    response = client.post("/exports", data={"from": "2026-11-01", "to": "2026-11-30", "councillor": "Jane Doe",
                                             "csrf_token": token})
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Verified:" in done
    link = re.search(r'href="(/exports/[^"]+/download)"', done).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    zipfile.ZipFile(io.BytesIO(download.data)).extractall(tmp_path / "unzipped")
    (folder,) = (tmp_path / "unzipped").iterdir()
    assert (folder / "MANIFEST").exists() and (folder / "posts.jsonl").exists()
    assert auditor(site.config, "verify", "--export", str(folder)).exit_code == 0
    assert site.client("admin").get(link).status_code == 200, "an admin may fetch it too"
    assert make_site(site.config).client("clerk").get(link).status_code == 404, "nobody else's export"


@SQLITE_ONLY
def test_saved_weekly_reports_are_listed_and_served_and_nothing_else(site: Site) -> None:
    auditor(site.config, "report", "weekly", "--week", "2026-W47")
    client = site.client("viewer")
    listing = client.get("/reports").get_data(as_text=True)
    assert "weekly-2026-W47" in listing
    report = client.get("/reports/saved/weekly-2026-W47.html")
    assert report.status_code == 200 and "Week 47" in report.get_data(as_text=True)
    assert "script-src" not in report.headers["Content-Security-Policy"]
    assert client.get("/reports/saved/..%2Fauditor.yaml").status_code == 404
    adhoc = client.get("/reports/audit?councillor=Jane%20Doe&from=2026-11-16&to=2026-11-22")
    assert adhoc.status_code == 200 and "councillor Jane Doe" in adhoc.get_data(as_text=True)
    assert client.get("/reports/audit?from=2026-11-22&to=2026-11-16").status_code == 400


@SQLITE_ONLY
def test_the_status_page_shows_runs_and_mail_waiting(site: Site) -> None:
    html = site.client("viewer").get("/status").get_data(as_text=True)
    assert "Last runs" in html and "#1" in html and "Mail waiting" in html


# -- users and the audit log --------------------------------------------------------------------


@SQLITE_ONLY
def test_users_are_added_from_standard_input_listed_and_given_tokens_shown_once(site: Site) -> None:
    added = auditor(site.config, "users", "add", "Ann Clerk", "--role", "clerk", stdin="a long enough password\n")
    assert added.exit_code == 0, added.output
    assert auditor(site.config, "users", "add", "ann clerk", "--role", "viewer", stdin="another password!\n"
                   ).exit_code == 2, "names ignore case"
    assert auditor(site.config, "users", "add", "Bo", "--role", "boss", stdin="a long enough password\n"
                   ).exit_code == 2
    assert "Ann Clerk" in auditor(site.config, "users", "list").output
    issued = auditor(site.config, "users", "token", "Ann Clerk").output.rstrip("\n").splitlines()
    token = issued[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token)
    got = site.app.test_client().get("/api/findings", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200
    client = site.app.test_client()
    assert sign_in(client, "ann clerk", "a long enough password").status_code == 302
    assert auditor(site.config, "users", "token", "Nobody").exit_code == 2


def test_the_audit_log_records_who_did_what_and_detects_an_edited_entry(site: Site, archived: Path) -> None:
    client = site.client("admin")
    fid = decision_finding(site)
    client.get(f"/findings/{fid}")
    client.get("/posts/x/9001")
    sign_in(site.app.test_client(), "admin", "wrong")
    actions = [(e.user, e.action) for e in reversed(site.store.audit_log()[0])]
    assert ("admin", "sign-in") in actions and ("admin", "view-finding") in actions
    assert ("admin", "view-post") in actions and ("", "sign-in-failed") in actions
    assert site.store.check_audit_log().intact
    page_html = client.get("/admin/audit-log").get_data(as_text=True)
    assert "Chain intact" in page_html and "view-finding" in page_html
    engine = sa.create_engine(site.settings.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 2"))
    engine.dispose()
    check = site.store.check_audit_log()
    assert not check.intact and "#2 was altered" in (check.problem or "")
    assert "BROKEN" in client.get("/admin/audit-log").get_data(as_text=True)


def test_importing_the_command_line_loads_neither_flask_nor_sqlalchemy() -> None:
    code = "import sys, auditor.cli; print(sorted(m for m in ('flask', 'sqlalchemy', 'waitress', 'argon2') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


@SQLITE_ONLY
def test_with_a_base_url_alerts_and_the_weekly_report_link_each_finding_to_its_page(archived: Path) -> None:
    from reports.alerts import alert_message

    site = make_site(archived, base_url="https://auditor.example.org/")
    fid = decision_finding(site)
    row = site.store.finding(fid)
    _subject, message = alert_message(site.settings, row, site.store.post(row.platform, row.post_id),
                                      datetime.fromisoformat(NOW))
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert f'href="https://auditor.example.org/findings/{fid}"' in html and "Decide in the browser" in html
    assert f"https://auditor.example.org/findings/{fid}" in text and "Decide in the browser" in text
    auditor(site.config, "report", "weekly", "--week", "2026-W47")
    report = (archived.parent / "reports" / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert f'href="https://auditor.example.org/findings/{fid}"' in report
    assert 'href="https://auditor.example.org/findings"' in report


@SQLITE_ONLY
def test_without_a_base_url_emails_have_no_web_links(site: Site) -> None:
    from reports.alerts import alert_message

    row = site.store.finding(decision_finding(site))
    _subject, message = alert_message(site.settings, row, None, datetime.fromisoformat(NOW))
    assert "/findings/" not in message.get_body(("html",)).get_content()
