"""The templates' filters and globals: council-time dates, platform names, rights, CSRF, links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from auditor.dates import portable_strftime
from auditor.platforms import display_name
from auditor.records import SEVERITIES
from auditor.service.web import common, csrf
from auditor.service.web.text import differences, evidence_parts, safe_url

DECISIONS = {"acknowledge": "acknowledged", "dismiss": "dismissed", "escalate": "escalated"}
STATUSES = ("open", "acknowledged", "dismissed", "escalated")


def rule_title(rule_id: str) -> str:
    from auditor.engine.rules import REGISTRY

    rule = REGISTRY.get(rule_id)
    return rule.title if rule else rule_id


def install(app: Flask) -> None:
    def local(value: datetime | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
        if value is None:
            return "–"
        moment = value.astimezone(common.web().settings.council.tz)
        return portable_strftime(moment, fmt) + (f" {moment.tzname()}" if "%Z" not in fmt and moment.tzname() else "")

    def iso(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    app.jinja_env.filters.update(local=local, platform=display_name, iso=iso)
    app.jinja_env.globals.update(
        safe_url=safe_url, evidence_parts=evidence_parts, differences=differences, rule_title=rule_title,
        SEVERITIES=tuple(reversed(SEVERITIES)), STATUSES=STATUSES, DECISIONS=DECISIONS,
    )

    @app.context_processor
    def _context() -> dict[str, Any]:
        return {
            "current_user": common.user(),
            "can": common.can,
            "csrf_token": csrf.token,
            "council": common.web().settings.council.name,
        }
