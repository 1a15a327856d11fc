"""The findings JSON shape (DESIGN.md, "(contract) Findings JSON"), shared by `auditor findings
--format json` and the web app's `/api/findings`: one function, so the two never drift apart."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from auditor.dates import iso_utc

if TYPE_CHECKING:
    from auditor.config.settings import Settings


class FindingRow(Protocol):
    """The attributes of a stored finding the JSON reads (an archive record)."""

    @property
    def id(self) -> int: ...
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def clause(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def councillor(self) -> str | None: ...
    @property
    def post_id(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def posted_at(self) -> datetime | None: ...
    @property
    def evidence(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def first_found(self) -> datetime: ...


FindingJSON = dict[str, str | int | None]


def finding_dict(row: FindingRow, settings: Settings) -> FindingJSON:
    """A finding in the documented JSON shape (DESIGN.md, "Findings JSON")."""
    return {
        "id": row.id,
        "rule": row.rule,
        "severity": row.severity,
        "clause": row.clause,
        "clause_text": settings.policy.clause_text(row.clause),
        "platform": row.platform,
        "account": row.account,
        "councillor": row.councillor,
        "post_id": row.post_id,
        "url": row.url,
        "posted_at": iso_utc(row.posted_at),
        "evidence": row.evidence,
        "reason": row.reason,
        "status": row.status,
        "first_found": iso_utc(row.first_found),
    }
