"""The alert email for one risky post: the "Needs attention" block, plus what to do next."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from auditor.config.settings import Settings
from auditor.platforms import display_name
from auditor.records import StoredFinding, StoredPost
from reports.links import linked
from reports.mail import build_message
from reports.model import FindingItem, finding_item
from reports.render import environment, render


def alert_subject(item: FindingItem, council: str) -> str:
    # Never text from the post: the rule's title and the councillor's configured name only.
    who = item.councillor or "official account"
    where = display_name(item.platform)
    return f"[{item.severity.upper()}] {item.title} — {who} ({where}) · {council}"


def alert_message(
    settings: Settings, row: StoredFinding, post: StoredPost | None, now: datetime
) -> tuple[str, EmailMessage]:
    tz = settings.council.tz
    item = linked(finding_item(row, post.text if post else "", tz, settings.policy.clauses), settings.web.base_url)
    subject = alert_subject(item, settings.council.name)
    context = dict(
        f=item, council=settings.council.name, subject=subject,
        captured_at=(post.first_seen if post else row.first_found).astimezone(tz),
        next_steps=settings.email.alert_next_steps, policy_name=settings.policy.name,
    )
    env = environment(settings.templates_dir)
    message = build_message(
        key=f"alert:{row.id}", sender=settings.email.from_, recipients=list(settings.email.alerts_to),
        subject=subject, text=render(env, "alert.txt", **context), html=render(env, "alert.html", **context),
        date=now,
    )
    return subject, message
