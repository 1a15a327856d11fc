"""preferred-platforms (D.1): a councillor's account outside the City's preferred tools."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.context import AuditContext
from auditor.engine.rules.base import Rule, RuleParams
from auditor.records import Finding, Severity


class PreferredPlatformsParams(RuleParams):
    severity: Severity = "info"
    clause: str = "D.1"


class PreferredPlatforms(Rule):
    id = "preferred-platforms"
    title = "Account on a platform the City does not use"
    Params = PreferredPlatformsParams
    params: PreferredPlatformsParams

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        preferred = set(ctx.preferred_platforms)
        for account in ctx.accounts:
            if account.councillor is None or account.platform in preferred:
                continue
            yield Finding(
                rule=self.id, severity=self.params.severity, clause=self.params.clause,
                platform=account.platform, account=account.handle, subject="platform", post_id=None,
                url=None, posted_at=None, evidence=account.platform,
                reason=f"{account.platform} is not one of the City's preferred platforms "
                f"({', '.join(sorted(preferred))}); residents following the City may not see it.",
                councillor=account.councillor,
            )
