"""decision-before-release (E.6): council decisions posted before the minutes are released."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import cached_property

from pydantic import Field

from auditor.context import AuditContext, MeetingInfo
from auditor.records import Finding, PostView, Severity
from auditor.rules.base import PostRule, RuleParams, quoted
from auditor.text import Lexicon, lexicon


class Params(RuleParams):
    severity: Severity = "high"
    clause: str = "E.6"
    agenda_severity: Severity = "medium"
    decision_phrases: list[str] = Field(
        default_factory=lambda: ["council voted", "council approved", "motion carried", "was defeated"]
    )
    # Minutes not yet released: how long after the meeting a post still counts as early.
    unreleased_window_days: int = Field(30, ge=1)


class DecisionBeforeRelease(PostRule):
    id = "decision-before-release"
    title = "Council decision posted before the minutes"
    Params = Params
    params: Params

    @cached_property
    def _decisions(self) -> Lexicon:
        return Lexicon(self.params.decision_phrases)

    def _open_meeting(self, post: PostView, ctx: AuditContext) -> MeetingInfo | None:
        for meeting in ctx.meetings:
            end = meeting.minutes_released or meeting.start + timedelta(days=self.params.unreleased_window_days)
            if meeting.start <= post.created_at < end:
                return meeting
        return None

    def check_post(self, post: PostView, ctx: AuditContext) -> Iterator[Finding]:
        meeting = self._open_meeting(post, ctx)
        if meeting is None:
            return
        folded = ctx.folded(post)
        match = self._decisions.search(folded)
        if match:
            yield self.finding(
                post,
                f"States a decision (\u201c{match.quote}\u201d) after the {meeting.title.lower()} began and "
                f"before its minutes were released on "
                f"{meeting.minutes_released.astimezone(ctx.tz):%-d %B %Y at %H:%M}."
                if meeting.minutes_released else
                f"States a decision (\u201c{match.quote}\u201d) after the {meeting.title.lower()} began; "
                "the minutes have not been released yet.",
                quoted(post, match),
            )
            return
        topic = lexicon(meeting.agenda).search(folded) if meeting.agenda else None
        if topic:
            yield self.finding(
                post,
                f"Discusses agenda item \u201c{topic.phrase}\u201d between the meeting and the release "
                "of its minutes.",
                quoted(post, topic),
                severity=self.params.agenda_severity,
            )
