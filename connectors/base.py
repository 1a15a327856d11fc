"""The connector interface.

A connector reads one account's feed and yields `Pull`s: parsed pages plus anything the
platform said about the account (its id, its profile). It never touches the database or the
rules. Errors are the typed ones in `connectors.errors`; the pipeline records them per account
and goes on with the others. A connector never sleeps: a rate limit is `RateLimited` (with
`reset_at` when the platform says), and the account waits for the next cycle.

What every live connector (x, facebook, youtube, bluesky, mastodon) promises, and
tests/test_connector_contract.py checks (the replay connector keeps the first two as well):
- every response body received is in `Pull.bodies`, exactly as received, and each page's
  `Page.source` is the body it was parsed from; no token or key is in a request line or a body
  (a token the platform echoes back is replaced by "[redacted]");
- only pages of the account's own feed set `Page.newest_id` (the next cycle's cursor); lookups
  of archived posts and reply threads never do;
- archived ids passed as `known` that the platform no longer has come back in `Page.gone_ids`;
- checks made after the feed itself (deletions, reply threads) are best effort: when the
  platform limits or fails them, the pull keeps what it read and says so in an empty page's
  `Page.errors` instead of failing the account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from auditor.records import AccountRef, Page, RawBody


@dataclass(frozen=True)
class Pull:
    """What one pull of one account produced."""

    pages: list[Page]
    profile: str | None = None  # the account's bio, where the platform returned it
    # Bodies read: requests made, or files replayed. For YouTube, the quota units spent (one a
    # list call), which is the same count.
    requests: int = 0
    # Every body received, pages' and lookups' alike, in the order received: the evidence.
    bodies: list[RawBody] = field(default_factory=list)


class Connector(Protocol):
    platform: str

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        """Read what is new since `cursor` (the newest id or time the archive holds, or None).

        `known`: ids of the account's recent archived posts; a connector that can ask the
        platform about them reports those that no longer exist in `Page.gone_ids` (a connector
        may ask about only some of them in one cycle, and says which in its own docstring).
        """
        ...

    def check(self, account: AccountRef) -> str:
        """Verify access to the account and return its platform id; raise a ConnectorError if not."""
        ...
