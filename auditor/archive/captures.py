"""The capture chain in the archive: each raw body appended once, and the whole chain re-checked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditor.archive import models
from auditor.archive.chain import GENESIS, Link, Record, check_chain
from auditor.archive.database import Database
from auditor.records import ChainReport, RawBody, content_hash


def append_captures(
    session: Session, account: models.Account, bodies: Sequence[RawBody], now: datetime, source: str
) -> dict[int, int]:
    """Append each body to the capture chain, once: a body already held for this account and
    request is not stored again (a replay read twice changes nothing). Returns id(body) -> row id."""
    if not bodies:
        return {}
    # Lock the head: one writer extends the chain at a time (the unique seq backs this up).
    head = session.execute(
        select(models.Capture.seq, models.Capture.chain_hash)
        .order_by(models.Capture.seq.desc())
        .limit(1)
        .with_for_update()
    ).first()
    seq, prev = (head.seq, head.chain_hash) if head else (0, GENESIS)
    label = f"{account.platform}/{account.handle}"
    out: dict[int, int] = {}
    for raw in bodies:
        digest = content_hash(raw.body)
        held = session.scalar(
            select(models.Capture.id)
            .where(
                models.Capture.account_id == account.id,
                models.Capture.body_sha256 == digest,
                models.Capture.request == raw.request,
            )
            .limit(1)
        )
        if held is None:
            seq += 1
            link = Link(seq, label, source, raw.request, raw.status, now, digest, prev)
            row = models.Capture(
                seq=seq,
                account_id=account.id,
                source=source,
                request=raw.request,
                status=raw.status,
                received_at=now,
                body=raw.body,
                body_sha256=digest,
                prev_hash=prev,
                chain_hash=link.hash(),
            )
            session.add(row)
            session.flush()
            prev, held = row.chain_hash, row.id
        out[id(raw)] = held
    return out


class CapturesArchive(Database):
    def chain(self) -> ChainReport:
        """Recompute the whole capture chain and every stored body's hash."""
        with self.session() as session:
            rows = session.execute(
                select(models.Capture, models.Account.platform, models.Account.handle)
                .join(models.Account, models.Capture.account_id == models.Account.id)
                .order_by(models.Capture.seq)
            )
            return check_chain(
                Record(
                    Link(c.seq, f"{platform}/{handle}", c.source, c.request, c.status, c.received_at,
                         c.body_sha256, c.prev_hash),
                    c.chain_hash,
                    c.body,
                )
                for c, platform, handle in rows
            )

    def altered_versions(self) -> list[str]:
        """Post versions whose text no longer matches the hash taken at capture."""
        with self.session() as session:
            rows = session.execute(
                select(
                    models.PostVersion.id,
                    models.PostVersion.text,
                    models.PostVersion.content_hash,
                    models.Post.platform,
                    models.Post.platform_id,
                )
                .join(models.Post, models.PostVersion.post_id == models.Post.id)
                .order_by(models.PostVersion.id)
            )
            return [
                f"{platform} post {pid} (version {vid})"
                for vid, text, digest, platform, pid in rows
                if content_hash(text) != digest
            ]
