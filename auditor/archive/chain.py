"""The capture chain: how each raw body's record is hashed, and how the chain is checked.

Pure functions over plain values, shared by the store (which writes the chain), `auditor
verify` (which re-checks the archive) and export verification (which re-checks a copy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from auditor.records import ChainReport, content_hash

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    """What one capture record commits to. Its hash covers the previous record's hash."""

    seq: int
    account: str  # "platform/handle"
    source: str
    request: str
    status: int | None
    received_at: datetime
    body_sha256: str
    prev_hash: str

    def hash(self) -> str:
        stamp = self.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        fields = [
            str(self.seq),
            self.account,
            self.source,
            self.request,
            "" if self.status is None else str(self.status),
            stamp,
            self.body_sha256,
            self.prev_hash,
        ]
        # Length-prefixed so no two different records can serialise alike.
        return hashlib.sha256("".join(f"{len(f)}:{f}" for f in fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Record:
    """A stored capture as read back: the link, its stored hash, and the body if not pruned."""

    link: Link
    chain_hash: str
    body: str | None


def check_chain(
    records: Iterable[Record], *, start_hash: str = GENESIS, start_seq: int = 1, contiguous: bool = True
) -> ChainReport:
    """Recompute every record's hash in order and report the first break.

    `contiguous=False` checks a selection (an export): each record against its own stated
    predecessor hash, and the order, but not that no record is missing between them.
    """
    previous, expected_seq, count = start_hash, start_seq, 0
    for record in records:
        link = record.link
        count += 1
        where = f"capture #{link.seq} ({link.account}, {link.request})"
        if contiguous and link.seq != expected_seq:
            return ChainReport(
                count,
                previous,
                f"capture #{expected_seq} is missing: the record before "
                f"#{link.seq} was removed or the records were reordered",
            )
        if contiguous and link.prev_hash != previous:
            return ChainReport(
                count,
                previous,
                f"{where} does not follow the record before it: a record was removed, inserted or reordered",
            )
        if link.hash() != record.chain_hash:
            return ChainReport(
                count, previous, f"{where} was altered after capture: its record no longer matches its hash"
            )
        if record.body is not None and content_hash(record.body) != link.body_sha256:
            return ChainReport(count, previous, f"{where}: the body was altered after capture")
        previous, expected_seq = record.chain_hash, link.seq + 1
    return ChainReport(count, previous, None)
