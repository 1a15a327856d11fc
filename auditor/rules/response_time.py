"""response-time (F.6): residents' questions left unanswered, or answered late."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

from pydantic import Field

from auditor.context import AuditContext
from auditor.interactions import questions
from auditor.records import Finding, Severity
from auditor.rules.base import Rule, RuleParams
from auditor.text import one_line


class Params(RuleParams):
    severity: Severity = "low"
    clause: str = "F.6"
    max_hours: float = Field(48, gt=0)
    unanswered_severity: Severity = "medium"


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 72 else f"{hours / 24:.0f} days"


class ResponseTime(Rule):
    id = "response-time"
    title = "Resident's question not answered in time"
    Params = Params
    params: Params

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        limit = timedelta(hours=self.params.max_hours)
        for q in questions(ctx):
            waited = q.waited(ctx.now)
            if waited <= limit:
                continue
            who = q.question.author_handle or "a resident"
            if q.answer is None:
                reason = f"Question from {who} unanswered for {_span(waited)} (limit {_span(limit)})."
                severity = self.params.unanswered_severity
            else:
                reason = f"Question from {who} answered after {_span(waited)} (limit {_span(limit)})."
                severity = self.params.severity
            finding = self.finding(q.question, reason, one_line(q.question.text, 280), severity=severity)
            # Charged to the councillor's account that left it unanswered, not to the resident.
            yield replace(finding, account=q.account, councillor=q.councillor)
