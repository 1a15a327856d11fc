"""The connector interface.

A connector reads one account's feed and yields `Pull`s: parsed pages plus anything the
platform said about the account (its id, its profile). It never touches the database or the
rules. Errors are the typed ones in `connectors.errors`; the pipeline records them per account
and goes on with the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from auditor.records import AccountRef, Page, RawBody


@dataclass(frozen=True)
class Pull:
    """What one pull of one account produced."""

    pages: list[Page]
    profile: str | None = None  # the account's bio, where the platform returned it
    requests: int = 0  # bodies read: requests made, or files replayed
    # Every body received, pages' and lookups' alike, in the order received: the evidence.
    bodies: list[RawBody] = field(default_factory=list)


class Connector(Protocol):
    platform: str

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        """Read what is new since `cursor` (the newest id or time the archive holds, or None).

        `known`: ids of the account's recent archived posts; a connector that can ask the
        platform about them reports those that no longer exist in `Page.gone_ids`.
        """
        ...

    def check(self, account: AccountRef) -> str:
        """Verify access to the account and return its platform id; raise a ConnectorError if not."""
        ...


def pages_newest_first(pages: list[Page]) -> Iterator[Page]:
    yield from reversed(pages)
