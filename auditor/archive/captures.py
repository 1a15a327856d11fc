"""The capture chain in the archive: each raw body appended once, and the whole chain re-checked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select
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
    digests = [content_hash(raw.body) for raw in bodies]  # each body hashed once
    held: dict[tuple[str, str], int] = {}
    unique = sorted(set(digests))
    for start in range(0, len(unique), 500):
        for row_id, digest, request in session.execute(
            select(models.Capture.id, models.Capture.body_sha256, models.Capture.request).where(
                models.Capture.account_id == account.id, models.Capture.body_sha256.in_(unique[start:start + 500])
            )
        ):
            held.setdefault((digest, request), row_id)
    out: dict[int, int] = {}
    rows: list[dict[str, object]] = []
    waiting: dict[int, list[int]] = {}  # seq -> id(body) of the bodies the new row stands for
    fresh: dict[tuple[str, str], int] = {}
    for raw, digest in zip(bodies, digests, strict=True):
        known = held.get((digest, raw.request))
        if known is not None:
            out[id(raw)] = known
            continue
        if (digest, raw.request) in fresh:  # the same body twice in one pull: stored once
            waiting[fresh[(digest, raw.request)]].append(id(raw))
            continue
        seq += 1
        link = Link(seq, label, source, raw.request, raw.status, now, digest, prev)
        prev = link.hash()
        rows.append({"seq": seq, "account_id": account.id, "source": source, "request": raw.request,
                     "status": raw.status, "received_at": now, "body": raw.body, "body_sha256": digest,
                     "prev_hash": link.prev_hash, "chain_hash": prev})
        fresh[(digest, raw.request)] = seq
        waiting[seq] = [id(raw)]
    if rows:
        table = cast(Table, models.Capture.__table__)
        for row_id, row_seq in session.execute(insert(table).returning(table.c.id, table.c.seq), rows):
            for body in waiting[row_seq]:
                out[body] = row_id
    return out


class CapturesArchive(Database):
    def chain(self) -> ChainReport:
        """Recompute the whole capture chain and every stored body's hash."""
        with self.session() as session:
            labels = {a.id: f"{a.platform}/{a.handle}" for a in session.scalars(select(models.Account))}
            c = models.Capture
            # Narrow columns, streamed: the bodies are hashed one at a time, never all held at once.
            rows = session.execute(
                select(c.seq, c.account_id, c.source, c.request, c.status, c.received_at, c.body_sha256,
                       c.prev_hash, c.chain_hash, c.body)
                .order_by(c.seq)
                .execution_options(yield_per=200)
            )
            return check_chain(
                Record(Link(seq, labels[account_id], source, request, status, received_at, sha, prev_hash),
                       chain_hash, body)
                for seq, account_id, source, request, status, received_at, sha, prev_hash, chain_hash, body in rows
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
