"""The rule interface. A rule is one small class: parameters, and `check(context)`.

`Rule.check` yields findings for the whole context (account-level rules override it);
`PostRule.check_post` is called once per post written by a councillor. Rules never do I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from auditor.context import AuditContext
from auditor.records import Finding, PostView, Severity
from auditor.text import Match, one_line


class RuleParams(BaseModel):
    """Every rule's switch, severity and clause; rules add their own lexicons and thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    severity: Severity = "medium"
    clause: str = ""


class Rule:
    id: ClassVar[str]
    title: ClassVar[str]  # the rule in plain words, for reports and alert subjects
    Params: ClassVar[type[RuleParams]] = RuleParams

    def __init__(self, params: RuleParams):
        self.params = params

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        post: PostView,
        reason: str,
        evidence: str,
        severity: Severity | None = None,
        clause: str | None = None,
    ) -> Finding:
        """A finding about one post, charged to the configured account that wrote it."""
        return Finding(
            rule=self.id,
            severity=severity or self.params.severity,
            clause=clause or self.params.clause,
            platform=post.platform,
            account=post.author_account or post.feed_account,
            subject=post.platform_id,
            post_id=post.platform_id,
            url=post.url,
            posted_at=post.created_at,
            evidence=evidence,
            reason=one_line(reason, 300),
            councillor=post.councillor,
        )


class PostRule(Rule):
    """A rule judged one councillor-written post at a time."""

    skip_reposts: ClassVar[bool] = True  # a repost's words are someone else's

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for post in ctx.posts:
            if not post.by_councillor or (self.skip_reposts and post.kind == "repost"):
                continue
            yield from self.check_post(post, ctx)

    def check_post(self, post: PostView, ctx: AuditContext) -> Iterator[Finding]:
        raise NotImplementedError


def quoted(post: PostView, match: Match) -> str:
    """The evidence: exactly the words of the post that matched, as the councillor wrote them."""
    return match.quote
