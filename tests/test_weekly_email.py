"""The weekly email end to end over real SMTP: charts inline by Content-ID, the findings CSV,
kept while the server is away, and at most the one in-flight message sent twice after a crash."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.archive.store import Store
from auditor.cli import cli
from tests.conftest import CONFIG, FIXTURES, NOW, ROOT
from tests.smtp import SmtpServer, free_port

LATER = "2026-11-23T09:30:00-07:00"  # the next pull, after the first retry's 5-minute backoff
HIGH_POST = "1858000000000000001"  # decision-before-release, the fixture's one high finding
# The recorded council of conftest, delivering over a real SMTP server on `port`.
SMTP_CONFIG = CONFIG.replace(
    "outbox: outbox}}",
    "outbox: outbox, smtp: {{host: 127.0.0.1, port: {port}, starttls: false, username_env: null, "
    "password_env: null, timeout: 5}}}}",
)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(
        SMTP_CONFIG.format(
            database=f"sqlite:///{tmp_path}/archive.db",
            policy=ROOT / "config" / "policy.yaml",
            replay=FIXTURES,
            port=port,
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def server(port: int):
    smtp = SmtpServer(port).start()
    yield smtp
    smtp.stop()


def auditor(config: Path, *args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", now, *args], catch_exceptions=False)


def received(server: SmtpServer, kind: str) -> list[EmailMessage]:
    return [m for m in server.inbox.messages if m["X-Auditor-Key"].startswith(f"{kind}:")]


def parts(message: EmailMessage, content_type: str) -> list[EmailMessage]:
    return [p for p in message.walk() if p.get_content_type() == content_type]


def test_the_weekly_email_carries_text_html_inline_charts_and_the_csv(config: Path, server: SmtpServer) -> None:
    assert auditor(config, "run").exit_code == 0
    result = auditor(config, "report", "weekly", "--week", "2026-W47", "--send")
    assert result.exit_code == 0, result.output
    assert "Queued for email." in result.output and "delivered: smtp://127.0.0.1" in result.output

    [weekly] = received(server, "weekly")
    assert [m["X-Auditor-Key"] for m in received(server, "alert")] == ["alert:1"], "the high finding's alert"
    assert auditor(config, "run", now=LATER).exit_code == 0
    assert len(server.inbox.messages) == 2, "neither is sent again"
    assert weekly["X-Auditor-Key"] == "weekly:2026-W47"
    assert weekly.get_content_type() == "multipart/mixed"
    [alternative] = parts(weekly, "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "multipart/related"]
    [related] = parts(weekly, "multipart/related")
    assert [p.get_content_type() for p in related.iter_parts()] == ["text/html", "image/png", "image/png"]

    html = weekly.get_body(("html",)).get_content()
    for image in parts(weekly, "image/png"):
        cid = image["Content-ID"]
        assert re.fullmatch(r"<[A-Za-z0-9.-]+@example\.org>", cid), cid
        assert image.get_content_disposition() == "inline"
        assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
        assert f'src="cid:{cid.strip("<>")}"' in html
    assert "data:image" not in html, "the email names its inline parts; only the saved page embeds them"
    assert len(re.findall(r'<img src="cid:[^"]+" alt="[^"]{40,}"', html)) == 2, "each image has a text alternative"

    text = weekly.get_body(("plain",)).get_content()
    assert "Posts per councillor per day, Week 47, 16–22 November 2026: Jane Doe" in text

    [attachment] = list(weekly.iter_attachments())
    assert (attachment.get_content_type(), attachment.get_filename()) == ("text/csv", "findings-2026-W47.csv")
    raw = attachment.get_payload(decode=True).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert [r["post id"] for r in rows if r["severity"] == "high"] == [HIGH_POST], "as written, never 1.858E+18"
    assert f'"{HIGH_POST}"' in raw, "quoted: a spreadsheet reads it as text"

    page = (config.parent / "reports" / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 2 and "cid:" not in page, "opens without a network"


def test_the_weekly_email_waits_for_an_absent_server_then_arrives_once(config: Path, port: int) -> None:
    assert auditor(config, "run").exit_code == 0  # nobody listens on the port: the alert waits
    assert auditor(config, "report", "weekly", "--week", "2026-W47", "--send").exit_code == 0
    status = auditor(config, "status").output
    assert "weekly:2026-W47: 1 attempt(s), last error: ConnectionRefusedError" in status, status

    server = SmtpServer(port).start()
    try:
        result = auditor(config, "run", now=LATER)
        assert "Delivered" in result.output and "smtp://127.0.0.1" in result.output, result.output
        auditor(config, "run", now="2026-11-23T10:00:00-07:00")
        again = auditor(config, "report", "weekly", "--week", "2026-W47", "--send", now="2026-11-23T10:05:00-07:00")
        assert "not sent again" in again.output
        assert [m["X-Auditor-Key"] for m in server.inbox.messages] == ["alert:1", "weekly:2026-W47"], "once each"
        assert "weekly:2026-W47" not in auditor(config, "status", now="2026-11-23T10:05:00-07:00").output
    finally:
        server.stop()


def test_a_crash_after_the_server_accepted_resends_only_that_message_with_the_same_id(
    config: Path, server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert auditor(config, "run").exit_code == 0
    assert auditor(config, "report", "weekly", "--week", "2026-W46", "--send").exit_code == 0  # sent, marked sent
    real_mark_sent = Store.mark_sent
    crashed: list[int] = []

    def crash_once(self: Store, message_id: int, now: datetime, delivered_to: str) -> None:
        if not crashed:
            crashed.append(message_id)
            raise RuntimeError("killed between the server's 250 OK and the database commit")
        real_mark_sent(self, message_id, now, delivered_to)

    monkeypatch.setattr(Store, "mark_sent", crash_once)
    with pytest.raises(RuntimeError, match="killed"):
        auditor(config, "report", "weekly", "--week", "2026-W47", "--send")
    assert [m["X-Auditor-Key"] for m in received(server, "weekly")] == ["weekly:2026-W46", "weekly:2026-W47"]
    assert "weekly:2026-W47: 0 attempt(s)" in auditor(config, "status").output, "the archive does not know yet"

    auditor(config, "run", now=LATER)  # the restarted service's next cycle
    auditor(config, "run", now="2026-11-23T10:00:00-07:00")
    keys = [m["X-Auditor-Key"] for m in received(server, "weekly")]
    assert keys == ["weekly:2026-W46", "weekly:2026-W47", "weekly:2026-W47"], "only the one in flight, once more"
    first, second = received(server, "weekly")[1:]
    assert first["Message-ID"] == second["Message-ID"], "so a mail client can drop the duplicate"
    assert first.as_bytes() == second.as_bytes(), "the stored message is resent exactly as it was"
    assert [m["X-Auditor-Key"] for m in received(server, "alert")] == ["alert:1"], "sent before: not again"


def test_charts_are_fixed_size_deterministic_pngs_that_say_what_they_show() -> None:
    from collections import Counter
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from reports.charts import weekly_charts
    from reports.model import CouncillorRow, Report
    from reports.period import iso_week

    tz = ZoneInfo("America/Edmonton")
    period = iso_week("2026-W47", tz)
    days = [datetime.combine(d, datetime.min.time(), tz) for d in period.days()]
    rows = [
        CouncillorRow(
            "Jane Doe",
            "",
            [],
            per_day=[4, 0, 1, 0, 1, 1, 1],
            questions=2,
            answered=2,
            median_response=timedelta(minutes=74),
        ),
        CouncillorRow("Tom Becker", "", [], per_day=[0] * 7, questions=1),
    ]
    report = Report("Council", "Weekly", period, days[0], "", [], [], [], rows, days, [], [], [], "p", "c", Counter())
    posts, answers = weekly_charts(report, timedelta(hours=48))
    assert [c.png for c in weekly_charts(report, timedelta(hours=48))] == [posts.png, answers.png], "same bytes"
    for chart in (posts, answers):
        assert chart.png[:8] == b"\x89PNG\r\n\x1a\n"
        size = int.from_bytes(chart.png[16:20], "big"), int.from_bytes(chart.png[20:24], "big")
        assert size == (chart.width, chart.height) == (600, 300)
    assert posts.alt == (
        "Posts per councillor per day, Week 47, 16–22 November 2026: "
        "Jane Doe 8 posts, most on Monday 16 (4); Tom Becker none."
    )
    assert answers.alt == (
        "Median time to answer residents' questions, Week 47, 16–22 November 2026: "
        "Jane Doe 74 min (2 answered); Tom Becker 1 unanswered. The policy limit is 48 hours."
    )
    quiet = Report("Council", "Weekly", period, days[0], "", [], [], [], [], days, [], [], [], "p", "c", Counter())
    assert weekly_charts(quiet)[0].alt.endswith(": no posts by councillors.")
