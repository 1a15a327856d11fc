"""deleted-post (E, preamble): a councillor's post that disappeared from the platform.

Deleting is not itself a breach, but the post may be subject to FOIP or discovery: the
archive keeps it, and the department should know.
"""

from __future__ import annotations

from auditor.dates import portable_strftime
from auditor.engine.context import AuditContext
from auditor.engine.rules.base import PostRule, RuleParams
from auditor.engine.text import one_line
from auditor.records import Finding, PostView, Severity


class DeletedPostParams(RuleParams):
    severity: Severity = "low"
    clause: str = "E.P1"


class DeletedPost(PostRule):
    id = "deleted-post"
    title = "Post deleted from the platform"
    Params = DeletedPostParams
    params: DeletedPostParams
    skip_reposts = False

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        if post.deleted_at is None:
            return None
        noticed = portable_strftime(post.deleted_at.astimezone(ctx.tz), "%-d %B %Y %H:%M")
        return self.finding(post, f"No longer on {post.platform} (noticed {noticed}); the archive keeps "
                           "the text as captured.", one_line(post.text, 280))
