"""The outbox: delivered over real SMTP exactly once, kept while the server is away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.archive.store import Store
from auditor.config.settings import Smtp
from auditor.records import OutgoingMail
from auditor.service.delivery import deliver_pending
from reports.mail import build_message, one_header_line
from tests.smtp import SmtpServer, free_port

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'archive.db'}")


def queue(store: Store, key: str, subject: str = "Alert") -> None:
    message = build_message(key=key, sender="auditor@example.org", recipients=["comms@example.org"], subject=subject,
                            text="plain", html="<p>html</p>", date=T0)
    store.queue_mail(OutgoingMail(key, "alert", ["comms@example.org"], subject, message.as_string()), T0)


def smtp_to(port: int) -> Smtp:
    return Smtp(host="127.0.0.1", port=port, starttls=False, username_env=None, password_env=None, timeout=5)


def test_each_message_arrives_once_even_when_delivery_runs_again(store: Store, tmp_path: Path) -> None:
    server = SmtpServer().start()
    try:
        queue(store, "alert:1")
        queue(store, "alert:2")
        for minute in range(3):
            deliver_pending(store, smtp=smtp_to(server.port), outbox_dir=tmp_path, sender="auditor@example.org",
                            env={}, now=T0 + timedelta(minutes=minute))
        assert sorted(m["X-Auditor-Key"] for m in server.inbox.messages) == ["alert:1", "alert:2"]
        assert all(m.get_content_type() == "multipart/alternative" for m in server.inbox.messages)
    finally:
        server.stop()


def test_a_server_that_is_down_then_back_gets_every_message_once(store: Store, tmp_path: Path) -> None:
    port = free_port()
    queue(store, "alert:1")
    down = deliver_pending(store, smtp=smtp_to(port), outbox_dir=tmp_path, sender="a@example.org", env={}, now=T0)
    assert down.failed == ["alert:1"] and not down.sent
    early = deliver_pending(store, smtp=smtp_to(port), outbox_dir=tmp_path, sender="a@example.org", env={},
                            now=T0 + timedelta(minutes=1))
    assert not early.sent and not early.failed, "retried only after its backoff"
    server = SmtpServer(port).start()
    try:
        later = T0 + timedelta(minutes=10)
        deliver_pending(store, smtp=smtp_to(port), outbox_dir=tmp_path, sender="a@example.org", env={}, now=later)
        deliver_pending(store, smtp=smtp_to(port), outbox_dir=tmp_path, sender="a@example.org", env={}, now=later)
        assert [m["X-Auditor-Key"] for m in server.inbox.messages] == ["alert:1"]
    finally:
        server.stop()


def test_a_refusing_server_leaves_the_message_pending(store: Store, tmp_path: Path) -> None:
    server = SmtpServer().start()
    try:
        server.inbox.refuse = True
        queue(store, "alert:1")
        result = deliver_pending(store, smtp=smtp_to(server.port), outbox_dir=tmp_path, sender="a@example.org",
                                 env={}, now=T0)
        assert result.failed == ["alert:1"]
        row = store.outbox()[0]
        assert row.sent_at is None and "451" in (row.last_error or "")
        server.inbox.refuse = False
        deliver_pending(store, smtp=smtp_to(server.port), outbox_dir=tmp_path, sender="a@example.org", env={},
                        now=T0 + timedelta(hours=1))
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_without_smtp_messages_become_eml_files_once(store: Store, tmp_path: Path) -> None:
    queue(store, "alert:7")
    outbox = tmp_path / "outbox"
    deliver_pending(store, smtp=None, outbox_dir=outbox, sender="a@example.org", env={}, now=T0)
    deliver_pending(store, smtp=None, outbox_dir=outbox, sender="a@example.org", env={}, now=T0)
    files = list(outbox.glob("*.eml"))
    assert [f.name for f in files] == ["alert-7.eml"]
    assert "Message-ID:" in files[0].read_text()


def test_a_queued_message_is_never_queued_twice(store: Store) -> None:
    queue(store, "weekly:2026-W47")
    queue(store, "weekly:2026-W47")
    assert len(store.outbox()) == 1


def test_header_text_never_carries_a_line_break() -> None:
    assert one_header_line("Alert\r\nBcc: victim@example.org") == "Alert Bcc: victim@example.org"
    message = build_message(key="k", sender="a@example.org", recipients=["b@example.org"],
                            subject="x\nInjected: yes", text="t", html="<p>h</p>", date=T0)
    assert "Injected" not in message.keys()
