"""response-time (F.6): residents' questions left unanswered, or answered late.

F.6: "Post regularly and respond to questions and comments in a timely manner."

A resident's question on a councillor's post or reply (see `auditor.engine.interactions`: a question
mark outside links, not an exclamation, not a `rhetorical` phrase such as "who else") fires
when it waited more than `max_hours` for that councillor's answer: `unanswered_severity` while
unanswered, `severity` once answered late. Questions younger than `max_hours` are not due yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from functools import cached_property

from pydantic import Field

from auditor.engine.context import AuditContext
from auditor.engine.interactions import asks_something, questions
from auditor.engine.rules.base import Rule, RuleParams
from auditor.engine.text import Lexicon, one_line
from auditor.records import Finding, Severity


class ResponseTimeParams(RuleParams):
    severity: Severity = "low"
    clause: str = "F.6"
    max_hours: float = Field(48, gt=0)
    unanswered_severity: Severity = "medium"
    rhetorical: list[str] = Field(default_factory=list)


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 72 else f"{hours / 24:.0f} days"


class ResponseTime(Rule):
    id = "response-time"
    title = "Resident's question not answered in time"
    Params = ResponseTimeParams
    params: ResponseTimeParams

    @cached_property
    def _rhetorical(self) -> Lexicon:
        return Lexicon(self.params.rhetorical)

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        limit = timedelta(hours=self.params.max_hours)
        rhetorical = self._rhetorical or None
        for q in questions(ctx):
            waited = q.waited(ctx.now)
            if waited <= limit:
                continue
            if rhetorical is not None and not asks_something(q.question.text, rhetorical):
                continue  # only rhetorical questions ("who else...?"): asked last, it is the dearest test
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
