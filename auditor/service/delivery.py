"""Delivering the outbox: over SMTP when configured, else as `.eml` files in a folder.

A message is marked sent only after the server accepted it (or the file was written), and it
is sent at most once more if the process dies between the two: the at-most-one in flight
message is the bound. Failures stay pending and are retried with backoff on later cycles.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from auditor.archive.store import Store
from auditor.config.settings import Smtp

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class DeliveryResult:
    sent: list[str]  # where each went: .eml paths or "smtp://host"
    failed: list[str]


def backoff(attempts: int) -> timedelta:
    wait: timedelta = timedelta(minutes=5) * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_BACKOFF)


def _eml_path(folder: Path, key: str) -> Path:
    return folder / (re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-") + ".eml")


def write_eml(folder: Path, key: str, message: str) -> Path:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    folder.mkdir(parents=True, exist_ok=True)
    path = _eml_path(folder, key)
    temp = path.with_suffix(".eml.tmp")
    temp.write_text(message, encoding="utf-8", newline="")
    os.replace(temp, path)
    return path


def send_smtp(smtp: Smtp, env: Mapping[str, str], sender: str, recipients: list[str], message: str) -> None:
    user = env.get(smtp.username_env or "") if smtp.username_env else None
    password = env.get(smtp.password_env or "") if smtp.password_env else None
    context = ssl.create_default_context()
    client = (
        smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        if smtp.ssl
        else smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    )
    with client:
        if smtp.starttls and not smtp.ssl:
            client.starttls(context=context)
        if user and password:
            client.login(user, password)
        # SMTP lines end in CRLF; smtplib fixes line ends only for str, and the stored message uses LF.
        client.sendmail(sender, recipients, _crlf(message).encode("utf-8"))


def _crlf(message: str) -> str:
    return re.sub(r"\r?\n", "\r\n", message)


def deliver_pending(
    store: Store, *, smtp: Smtp | None, outbox_dir: Path, sender: str, env: Mapping[str, str], now: datetime
) -> DeliveryResult:
    sent: list[str] = []
    failed: list[str] = []
    for row in store.pending_messages(now):
        try:
            if smtp is None:
                where = str(write_eml(outbox_dir, row.key, row.message))
            else:
                send_smtp(smtp, env, sender, list(row.recipients), row.message)
                where = f"smtp://{smtp.host}:{smtp.port}"
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            retry = now + backoff(row.attempts + 1)
            store.mark_failed(row.id, now, error, retry)
            log.warning("could not deliver %s (%s); will retry after %s", row.key, error, retry.isoformat())
            failed.append(row.key)
            if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
                break  # the server or folder is unreachable: the rest wait for the next cycle
            continue
        store.mark_sent(row.id, now, where)
        sent.append(where)
    return DeliveryResult(sent, failed)
