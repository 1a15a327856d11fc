"""Signed checkpoints: the capture chain's head, anchored outside the database.

After each run a line is appended to an append-only file: how many captures the chain holds, the
head record's hash, the time, and an Ed25519 signature over them by a key kept outside the
database (`auditor evidence keygen`). Someone who can write to the database but not to that file
or that key cannot rebuild the chain, nor remove its newest records, without `verify` seeing that
the archive no longer reaches a head it once signed.

A line: {"records": 1234, "head": "<64 hex>", "time": "2026-11-23T16:00:05+00:00",
"key": "<first 16 hex of the public key's SHA-256>", "signature": "<base64>"}; the signature covers
the other four fields as compact JSON with sorted keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from auditor.archive import models
from auditor.archive.database import Database


@dataclass(frozen=True)
class Checkpoint:
    records: int
    head: str
    time: str
    key: str
    signature: str = ""

    def message(self) -> bytes:
        fields = {"records": self.records, "head": self.head, "time": self.time, "key": self.key}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def public_key_file(private: Path) -> Path:
    return private.with_name(private.name + ".pub")


def generate_key(path: Path) -> str:
    """Write a new Ed25519 key (PEM, mode 0600) and its public half beside it (`.pub`); returns its
    id. Refuses to replace an existing key: checkpoints signed with it would no longer verify."""
    if path.exists():
        raise FileExistsError(f"{path} exists; remove it first if you really mean to replace the key")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = key.public_key()
    public_key_file(path).write_bytes(public.public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(public)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The public key from a `.pub` file, or from the private key file itself."""
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def chain_head(database: Database) -> tuple[int, str] | None:
    """The newest capture's sequence number and chain hash (None: no captures yet)."""
    with database.session() as session:
        row = session.execute(
            select(models.Capture.seq, models.Capture.chain_hash).order_by(models.Capture.seq.desc()).limit(1)
        ).first()
    return (int(row.seq), str(row.chain_hash)) if row else None


def sign(records: int, head: str, now: datetime, key: Ed25519PrivateKey) -> Checkpoint:
    unsigned = Checkpoint(records, head, now.astimezone(UTC).isoformat(timespec="seconds"), key_id(key.public_key()))
    signature = base64.b64encode(key.sign(unsigned.message())).decode("ascii")
    return Checkpoint(unsigned.records, unsigned.head, unsigned.time, unsigned.key, signature)


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and force it to disk: the file only ever grows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(checkpoint.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def write_checkpoint(database: Database, path: Path, key_file: Path, now: datetime) -> Checkpoint | None:
    """Sign the archive's current head and append it to `path` (None when there is nothing to sign)."""
    head = chain_head(database)
    if head is None:
        return None
    checkpoint = sign(head[0], head[1], now, load_private(key_file))
    append(path, checkpoint)
    return checkpoint


def read(path: Path) -> tuple[list[tuple[int, Checkpoint]], list[str]]:
    """The checkpoints in a file, by line number, and the lines that are not checkpoints."""
    found: list[tuple[int, Checkpoint]] = []
    problems: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError) as exc:
        return [], [f"{path} cannot be read ({type(exc).__name__})"]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append((number, Checkpoint(int(data["records"]), str(data["head"]), str(data["time"]),
                                             str(data["key"]), str(data["signature"]))))
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path.name} line {number} is not a checkpoint")
    return found, problems


def latest(path: Path | None) -> Checkpoint | None:
    """The newest checkpoint in the file, if any (for reports and exports to carry)."""
    if path is None or not path.is_file():
        return None
    found, _ = read(path)
    return found[-1][1] if found else None


def verify_against(database: Database, checkpoints: Iterable[tuple[int, Checkpoint]],
                   public: Ed25519PublicKey | None) -> list[str]:
    """Every way the archive diverges from the checkpoints, the first divergence first.

    A checkpoint whose signature does not verify (with `public`) proves nothing and is reported;
    without a public key signatures are not checked. The archive matches a checkpoint when its
    capture number `records` exists and carries the checkpoint's head hash; `verify` checks that
    the chain is intact up to its own head, so a match means no record up to there changed."""
    items = list(checkpoints)
    wanted = {c.records for _, c in items}
    with database.session() as session:
        hashes = {int(seq): str(h) for seq, h in session.execute(
            select(models.Capture.seq, models.Capture.chain_hash).where(models.Capture.seq.in_(wanted)))}
        newest = session.scalar(select(models.Capture.seq).order_by(models.Capture.seq.desc()).limit(1)) or 0
    problems: list[str] = []
    for number, checkpoint in items:
        where = f"checkpoint of {checkpoint.time} (line {number}, {checkpoint.records} captures)"
        if public is not None:
            if checkpoint.key != key_id(public):
                problems.append(f"{where} was signed by another key ({checkpoint.key})")
                continue
            try:
                public.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.message())
            except (InvalidSignature, ValueError):
                problems.append(f"{where}: its signature does not verify; the checkpoint file was edited")
                continue
        if checkpoint.records > newest:
            problems.append(f"{where}: the archive now holds only {newest} captures; "
                            f"captures #{newest + 1} to #{checkpoint.records} were removed")
        elif hashes.get(checkpoint.records) != checkpoint.head:
            problems.append(f"{where}: capture #{checkpoint.records} no longer has the signed head hash; "
                            "the chain was rebuilt or altered up to there")
    return problems
