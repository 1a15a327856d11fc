"""unmoderated-debate (E.7): a councillor drawn into a back-and-forth argument.

Several replies by the councillor to the same person in one conversation, at least one of
them contradicting or hostile, is an argument rather than an answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from pydantic import Field

from auditor.context import AuditContext
from auditor.records import Finding, PostView, Severity
from auditor.rules.base import Rule, RuleParams, quoted
from auditor.text import Lexicon


class Params(RuleParams):
    severity: Severity = "medium"
    clause: str = "E.7"
    min_exchanges: int = Field(3, ge=2)
    argument_phrases: list[str] = Field(default_factory=lambda: ["you're wrong", "that's false"])


class UnmoderatedDebate(Rule):
    id = "unmoderated-debate"
    title = "Argument with a resident in an unmoderated thread"
    Params = Params
    params: Params

    @cached_property
    def _arguing(self) -> Lexicon:
        return Lexicon(self.params.argument_phrases)

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        exchanges: dict[tuple[str, str, str, str], list[PostView]] = defaultdict(list)
        for post in ctx.posts:
            if not post.by_councillor or post.kind != "reply":
                continue
            parent = ctx.parent(post)
            if parent is None or parent.by_councillor or not parent.author_id:
                continue
            thread = post.conversation_id or parent.conversation_id or parent.platform_id
            exchanges[(post.platform, post.author_account or "", thread, parent.author_id)].append(post)
        for (_, _, thread, _), replies in sorted(exchanges.items()):
            if len(replies) < self.params.min_exchanges:
                continue
            replies.sort(key=lambda p: p.created_at)
            for reply in replies:
                match = self._arguing.search(ctx.folded(reply))
                if match:
                    other = ctx.parent(reply)
                    who = (other.author_handle if other else None) or "the same person"
                    finding = self.finding(
                        reply,
                        f"{len(replies)} replies to {who} in one thread, arguing (\u201c{match.quote}\u201d); "
                        "take the discussion to a moderated channel.",
                        quoted(reply, match),
                    )
                    yield replace(finding, subject=f"thread:{thread}:{other.author_id if other else ''}")
                    break
