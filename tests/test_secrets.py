"""Canary secrets: live-mode commands at -vv against faked platforms, and the canaries nowhere.

The Facebook token has a `|` (as app tokens do), so its URL-encoded form (`%7C`) differs from it;
Graph echoes it in `paging.next` (top level and nested comments) and quotes it in an error. The
X bearer token travels in a header. Every place a secret could land is searched for every form
of every canary: stdout, stderr, the captured log records, the database file's bytes, reports,
the outbox and an export.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import responses
from click.testing import CliRunner

from auditor import secrets as secret_logging
from auditor.cli import cli
from auditor.redact import Redactor, secret_forms
from tests.conftest import FIXTURES, NOW, ROOT

pytestmark = pytest.mark.faults

FB_TOKEN = "EAAGcanaryFB|Zq9xY8wV7uT6s"
PAGE_TOKEN = "EAAGcanaryPAGE|Kk3Jj2Hh1Gg0"
X_TOKEN = "AAAAAAAAAAAAAAAAAAAAAcanaryXbearer%2Fvalue"
YT_KEY = "AIzaSyCanaryYouTubeKey0123456789"
SMTP_USER = "canary-smtp-user@example.org"
SMTP_PASSWORD = "canary-smtp-pass-!@#"
CANARIES = [FB_TOKEN, PAGE_TOKEN, X_TOKEN, YT_KEY, SMTP_USER, SMTP_PASSWORD]
ENV = {"FACEBOOK_TOKEN": FB_TOKEN, "JANE_PAGE_TOKEN": PAGE_TOKEN, "X_BEARER_TOKEN": X_TOKEN,
       "YOUTUBE_API_KEY": YT_KEY, "SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD}
GRAPH = "https://graph.facebook.com/v23.0"
X_API = "https://api.twitter.com/2"

CONFIG = """
council: {{name: Test Council, timezone: America/Edmonton}}
database: sqlite:///{db}
policy: {policy}
replay: null
reports_dir: reports
official_accounts:
  - {{platform: facebook, handle: CityPage, id: "4444", kind: official-city}}
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: facebook, handle: JanePage, id: "3333", kind: representative, token_env: JANE_PAGE_TOKEN}}
      - {{platform: x, handle: JaneDoe, id: "2222", kind: representative}}
meetings:
  - {{start: 2026-11-16T19:00:00-07:00, minutes_released: 2026-11-20T12:00:00-07:00, agenda: [ring road]}}
email: {{from: auditor@example.org, alerts_to: [comms@example.org], weekly_to: [comms@example.org], outbox: outbox}}
"""


def every_form(secret: str) -> set[str]:
    encoded = base64.b64encode(secret.encode()).decode()
    return secret_forms(secret) | {quote(secret, safe=""), quote_plus(secret), encoded}


def leaks(text: str) -> list[str]:
    return sorted({form for secret in CANARIES for form in every_form(secret) if form in text})


def _graph(request: Any) -> tuple[int, dict[str, str], str]:
    path = request.path_url.split("?")[0]
    if "/3333/" in path:  # Jane's page token was revoked; Graph quotes it back
        error = {"error": {"message": f"Invalid OAuth access token - Cannot parse access token: {PAGE_TOKEN}",
                           "type": "OAuthException", "code": 190}}
        return 400, {}, json.dumps(error)
    if "after=" in request.url:
        return 200, {}, json.dumps({"data": []})
    encoded = quote(FB_TOKEN, safe="")
    body = {
        "data": [{
            "id": "4444_1", "message": "Council meets Monday: everyone welcome.",
            "created_time": "2026-11-20T18:00:00+0000", "permalink_url": "https://www.facebook.com/4444/posts/1",
            "from": {"name": "City", "id": "4444"},
            "comments": {"data": [{"id": "1_7", "message": "Thanks!", "created_time": "2026-11-20T19:00:00+0000",
                                   "from": {"name": "Res", "id": "9"}}],
                         "paging": {"next": f"{GRAPH}/1/comments?access_token={encoded}&after=QQ"}},
        }],
        "paging": {"next": f"{GRAPH}/4444/posts?access_token={encoded}&limit=100&after=QVFI"},
    }
    return 200, {}, json.dumps(body)


def _x(request: Any) -> tuple[int, dict[str, str], str]:
    path = request.path_url.split("?")[0]
    if path.endswith("/users/2222"):
        return 200, {}, json.dumps({"data": {"id": "2222", "username": "JaneDoe", "name": "Jane Doe",
                                             "description": "Views are my own"}})
    if path.endswith("/tweets"):
        return 200, {}, (FIXTURES / "x" / "JaneDoe" / "001-users-tweets.json").read_text(encoding="utf-8")
    return 200, {}, (FIXTURES / "x" / "JaneDoe" / "002-users-mentions.json").read_text(encoding="utf-8")


@pytest.fixture
def fake_platforms() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for base, callback in ((GRAPH, _graph), (X_API, _x)):
            mock.add_callback(responses.GET, re.compile(re.escape(base) + r".*"), callback=callback,
                              content_type="application/json")
        yield mock


def test_canary_secrets_appear_nowhere_after_live_commands_at_debug_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fake_platforms: Any
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "auditor.yaml"
    config.write_text(CONFIG.format(db=tmp_path / "archive.db", policy=ROOT / "config" / "policy.yaml"),
                      encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    outputs = []
    for args in (["run"], ["run"], ["accounts", "check"], ["report", "weekly", "--week", "2026-W47"],
                 ["findings", "--format", "json"], ["status"],
                 ["export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "foip")],
                 ["verify"]):
        result = runner.invoke(cli, ["--config", str(config), "--now", NOW, "-vv", *args])
        outputs.append(result.stdout + (result.stderr if result.stderr_bytes is not None else ""))
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
            args, result.output)
    assert any("FAILED (auth)" in out for out in outputs), outputs[0]  # the refused token's error was shown…
    assert len(fake_platforms.calls) > 4  # …and the platforms were really asked
    records = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    places = {"output": "\n".join(outputs), "log": records + caplog.text}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            places[str(path.relative_to(tmp_path))] = path.read_bytes().decode("utf-8", "replace")
    found = {where: leaks(text) for where, text in places.items() if leaks(text)}
    assert found == {}
    db = "".join(p.read_bytes().decode("utf-8", "replace") for p in tmp_path.glob("archive.db*"))  # -wal too
    assert "[redacted]" in db  # the echoed token was there, and was replaced


def test_the_filter_scrubs_library_loggers_tracebacks_and_every_form(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_logging.install(None, ENV)
    try:
        logging.getLogger("urllib3.connectionpool").debug('"GET /v23.0/1/posts?access_token=%s HTTP/1.1" 200',
                                                          quote(FB_TOKEN, safe=""))
        logging.getLogger("googleapiclient.discovery").debug("URL being requested: GET https://x/?key=%s", YT_KEY)
        logging.getLogger("tweepy.client").debug("Headers: %r", {"Authorization": f"Bearer {X_TOKEN}"})
        logging.getLogger("httpx").info("basic %s", base64.b64encode(SMTP_PASSWORD.encode()).decode())
        logging.getLogger("smtp").info("user %s", quote_plus(SMTP_USER))
        try:
            raise RuntimeError(f"refused {FB_TOKEN}")
        except RuntimeError:
            logging.getLogger("auditor").exception("failed")
    finally:
        secret_logging.install(None, {})
    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert text.count("[redacted]") >= 6
    assert leaks(text) == []


def test_a_short_value_is_not_treated_as_a_secret() -> None:
    redact = Redactor(["abc", None, ""])
    assert not redact and redact("abc def") == "abc def"


def test_the_recorder_removes_a_token_the_platform_echoes_url_encoded() -> None:
    from connectors.http import BodyRecorder

    recorder = BodyRecorder([FB_TOKEN])
    with recorder.recording() as bodies:
        body = json.dumps({"paging": {"next": f"{GRAPH}/1/posts?access_token={quote(FB_TOKEN, safe='')}&x=1"}})
        recorder.add("GET", f"{GRAPH}/1/posts?access_token={quote(FB_TOKEN)}", body, 200)
    assert leaks(bodies[0].body + bodies[0].request) == []
    assert "[redacted]" in bodies[0].body
