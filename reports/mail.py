"""Email messages built from the same renderers as the reports.

Each message carries a Message-ID derived from its outbox key, so a retried send is
recognisably the same message; a subject never carries text from a post or a line break.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime


def one_header_line(value: str, limit: int = 180) -> str:
    """Header-safe: no CR/LF or other control characters, bounded length."""
    flat = re.sub(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+", " ", value)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def message_id(key: str, sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "localhost"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<{digest}.auditor@{one_header_line(domain, 80)}>"


def build_message(*, key: str, sender: str, recipients: list[str], subject: str, text: str, html: str,
                  date: datetime, attachments: Sequence[tuple[str, str, bytes]] = ()) -> EmailMessage:
    """multipart/alternative (plain text, then HTML), with optional attachments."""
    message = EmailMessage()
    message["From"] = one_header_line(sender)
    message["To"] = ", ".join(one_header_line(r) for r in recipients) or one_header_line(sender)
    message["Subject"] = one_header_line(subject)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(key, sender)
    message["X-Auditor-Key"] = one_header_line(key)
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    for filename, mime, payload in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message
