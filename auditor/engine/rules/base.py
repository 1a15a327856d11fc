"""The rule interface. A rule is one small class: parameters, and `check(context)`.

`Rule.check` yields findings for the whole context (account-level rules override it);
`PostRule.check_post` is called once per post written by a councillor and returns a finding or
None. Rules never do I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from auditor.engine.context import AuditContext
from auditor.engine.text import Lexicon, Match, one_line
from auditor.records import Finding, PostView, Severity


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

    def lexicons(self, ctx: AuditContext) -> Iterable[Lexicon]:
        """The lexicons this rule tries on most posts it sees: the engine scans each post once
        for the keys of all of them. A lexicon left out (one consulted only after a first match,
        such as a list of harmless contexts) still works: it scans the text itself when asked."""
        return ()

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
    """A rule judged one councillor-written post at a time: `check_post` returns its finding
    about the post, or None (a post rule finds at most one thing per post).

    The engine runs every post rule in one loop over the posts (`check` is the same, for one
    rule alone), so a post's folded text and scan are shared by all of them.
    """

    skip_reposts: ClassVar[bool] = True  # a repost's words are someone else's

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for post in ctx.posts:
            if not post.by_councillor or (self.skip_reposts and post.kind == "repost"):
                continue
            finding = self.check_post(post, ctx)
            if finding is not None:
                yield finding

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        raise NotImplementedError


def quoted(post: PostView, match: Match) -> str:
    """The evidence: exactly the words of the post that matched, as the councillor wrote them."""
    return match.quote
