"""Links from emails and reports to the web app's finding pages (`web.base_url`), pure."""

from __future__ import annotations

from dataclasses import replace

from reports.model import FindingItem, Report


def finding_link(base_url: str | None, finding_id: int) -> str:
    """`{base_url}/findings/ID`, or "" without a base URL (then emails name the command instead)."""
    return f"{base_url.rstrip('/')}/findings/{finding_id}" if base_url else ""


def linked(item: FindingItem, base_url: str | None) -> FindingItem:
    return replace(item, link=finding_link(base_url, item.id)) if base_url else item


def link_report(report: Report, base_url: str | None) -> None:
    """Give every finding of the report its web page, and the report the queue's address."""
    if not base_url:
        return
    report.attention = [linked(f, base_url) for f in report.attention]
    report.other_findings = [linked(f, base_url) for f in report.other_findings]
    report.deleted = [linked(f, base_url) for f in report.deleted]
    report.extra["web_url"] = f"{base_url.rstrip('/')}/findings"
