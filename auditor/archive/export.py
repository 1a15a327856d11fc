"""FOIP and discovery exports: a folder that answers a request and proves itself.

An export holds the selected councillors' posts with every version and deletion mark, the
residents' replies around them, the findings and decisions on them, the raw bodies they came
from with their capture records, and a `MANIFEST` in `sha256sum` format (so `sha256sum -c
MANIFEST` checks it without this software). `EXPORT.json` states the request and the archive's
chain head at the time. `verify_export` re-checks all of it from the folder alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from auditor.archive import models
from auditor.archive.accounts import Authors
from auditor.archive.chain import Link, Record, check_chain
from auditor.archive.store import Store
from auditor.dates import iso_utc
from auditor.engine.text import Lexicon, fold
from auditor.records import content_hash
from reports.spreadsheet import csv_text

MANIFEST = "MANIFEST"


@dataclass(frozen=True)
class Request:
    start: datetime
    end: datetime  # exclusive
    councillor: str | None = None
    account: str | None = None
    query: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"from": iso_utc(self.start), "to": iso_utc(self.end), "councillor": self.councillor,
                "account": self.account, "query": self.query}


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    posts: int
    context: int
    versions: int
    deleted: int
    findings: int
    captures: int
    chain_head: str


def _matches(query: Lexicon | None, texts: Iterable[str]) -> bool:
    return query is None or any(query.search(fold(text)) for text in texts)


def export(store: Store, request: Request, folder: Path, now: datetime,
           checkpoint: dict[str, Any] | None = None) -> ExportSummary:
    """Write the export. `checkpoint`: the newest signed checkpoint (docs/evidence.md), carried in
    EXPORT.json so that whoever receives the export can hold the archive to it later."""
    folder.mkdir(parents=True, exist_ok=True)
    query = Lexicon([request.query]) if request.query else None
    with store.session() as session:
        accounts = list(session.scalars(select(models.Account)))
        authors = Authors(accounts)
        wanted = [
            a for a in accounts if a.councillor
            and (request.councillor is None or a.councillor.lower() == request.councillor.lower())
            and (request.account is None or a.handle.lower() == request.account.lower().lstrip("@"))
        ]
        wanted_ids = {a.id for a in wanted}

        def wanted_author(post: models.Post) -> models.Account | None:
            author = authors.of(post.platform, post.author_id, post.author_handle)
            return author if author is not None and author.id in wanted_ids else None

        candidates = session.scalars(
            select(models.Post).options(selectinload(models.Post.versions))
            .where(models.Post.created_at >= request.start, models.Post.created_at < request.end)
            .order_by(models.Post.created_at, models.Post.id)
        )
        chosen = [
            p for p in candidates
            if wanted_author(p) and _matches(query, (v.text for v in p.versions))
        ]
        ids = {(p.platform, p.platform_id) for p in chosen}
        keys = [p.platform_id for p in chosen] + [p.platform_id.split("_", 1)[-1] for p in chosen]
        context = [
            p for p in session.scalars(
                select(models.Post).options(selectinload(models.Post.versions))
                .where(or_(models.Post.parent_id.in_(keys), models.Post.conversation_id.in_(keys)))
                .order_by(models.Post.created_at, models.Post.id)
            )
            if (p.platform, p.platform_id) not in ids
        ] if keys else []
        findings = [
            f for f in session.scalars(select(models.Finding).order_by(models.Finding.id))
            if (f.platform, f.post_id) in ids
        ]
        history: dict[int, list[models.Decision]] = {}
        for decision in session.scalars(select(models.Decision).order_by(models.Decision.at, models.Decision.id)):
            history.setdefault(decision.finding_id, []).append(decision)
        capture_ids = {v.capture_id for p in chosen + context for v in p.versions if v.capture_id}
        captures = list(session.scalars(
            select(models.Capture).where(models.Capture.id.in_(capture_ids)).order_by(models.Capture.seq)
        )) if capture_ids else []
        handles = {a.id: a for a in accounts}
        seq_of = {c.id: c.seq for c in captures}

        post_rows = [_post_record(p, "councillor", handles, wanted_author(p), seq_of) for p in chosen]
        post_rows += [_post_record(p, "context", handles, wanted_author(p), seq_of) for p in context]
        finding_rows = [_finding_record(f, history.get(f.id, [])) for f in findings]
        capture_rows = _write_raw(folder, captures, handles)
    chain = store.chain()

    _write_jsonl(folder / "posts.jsonl", post_rows)
    _write_csv(folder / "posts.csv", _version_rows(post_rows))
    _write_jsonl(folder / "findings.jsonl", finding_rows)
    _write_csv(folder / "findings.csv", [_flat_finding(f) for f in finding_rows])
    _write_jsonl(folder / "captures.jsonl", capture_rows)
    summary = ExportSummary(
        folder, len(chosen), len(context), sum(len(p["versions"]) for p in post_rows),
        sum(1 for p in post_rows if p["deleted_at"]), len(findings), len(capture_rows), chain.head,
    )
    (folder / "EXPORT.json").write_text(json.dumps({
        "request": request.describe(), "generated_at": iso_utc(now),
        "archive": {"captures": chain.records, "chain_head": chain.head, "intact": chain.intact},
        "checkpoint": checkpoint,
        "counts": {"posts": summary.posts, "context": summary.context, "versions": summary.versions,
                   "deleted": summary.deleted, "findings": summary.findings, "captures": summary.captures},
        "files": "MANIFEST lists every file with its SHA-256; `sha256sum -c MANIFEST` checks them",
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _write_manifest(folder)
    return summary


def _post_record(post: models.Post, role: str, handles: dict[int, models.Account],
                 author: models.Account | None, seq_of: dict[int, int]) -> dict[str, Any]:
    return {
        "role": role, "platform": post.platform, "post_id": post.platform_id,
        "post_ref": f"{post.platform}:{post.platform_id}", "captured_from": handles[post.account_id].handle,
        "councillor": author.councillor if author else None, "account": author.handle if author else None,
        "author_id": post.author_id, "author_handle": post.author_handle, "kind": post.kind,
        "parent_id": post.parent_id, "conversation_id": post.conversation_id, "url": post.url,
        "created_at": iso_utc(post.created_at), "first_seen": iso_utc(post.first_seen),
        "last_seen": iso_utc(post.last_seen),
        "deleted_at": iso_utc(post.deleted_at), "source": post.source,
        "versions": [
            {"number": n, "text": v.text, "content_sha256": v.content_hash, "seen_at": iso_utc(v.seen_at),
             "capture_seq": seq_of.get(v.capture_id) if v.capture_id else None}
            for n, v in enumerate(post.versions, start=1)
        ],
    }


def _finding_record(finding: models.Finding, decisions: list[models.Decision]) -> dict[str, Any]:
    return {
        "id": finding.id, "rule": finding.rule, "severity": finding.severity, "clause": finding.clause,
        "platform": finding.platform, "account": finding.account, "councillor": finding.councillor,
        "post_id": finding.post_id, "post_ref": f"{finding.platform}:{finding.post_id}" if finding.post_id else None,
        "posted_at": iso_utc(finding.posted_at), "evidence": finding.evidence, "reason": finding.reason,
        "status": finding.status, "first_found": iso_utc(finding.first_found),
        "decisions": [{"action": d.action, "note": d.note, "by": d.by, "at": iso_utc(d.at)} for d in decisions],
    }


def _write_raw(
    folder: Path, captures: list[models.Capture], handles: dict[int, models.Account]
) -> list[dict[str, Any]]:
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    rows = []
    for capture in captures:
        name = None
        if capture.body is not None:
            name = f"raw/{capture.seq:08d}.body"
            (folder / name).write_bytes(capture.body.encode("utf-8", "surrogatepass"))
        account = handles[capture.account_id]
        rows.append({
            "seq": capture.seq, "account": f"{account.platform}/{account.handle}", "source": capture.source,
            "request": capture.request, "status": capture.status, "received_at": iso_utc(capture.received_at),
            "body_sha256": capture.body_sha256, "prev_hash": capture.prev_hash, "chain_hash": capture.chain_hash,
            "file": name, "pruned_at": iso_utc(capture.pruned_at),
        })
    return rows


def _version_rows(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One CSV row per version: what a spreadsheet reader needs, ids as text."""
    return [
        {"post_ref": p["post_ref"], "platform": p["platform"], "post_id": p["post_id"], "role": p["role"],
         "councillor": p["councillor"] or "", "account": p["account"] or "", "author": p["author_handle"] or "",
         "kind": p["kind"], "created_at_utc": p["created_at"], "deleted_at_utc": p["deleted_at"] or "",
         "version": v["number"], "seen_at_utc": v["seen_at"], "text": v["text"], "content_sha256": v["content_sha256"],
         "url": p["url"] or ""}
        for p in posts for v in p["versions"]
    ]


def _flat_finding(finding: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in finding.items() if k != "decisions"}
    flat["decisions"] = "; ".join(f"{d['at']} {d['action']} by {d['by']}: {d['note']}" for d in finding["decisions"])
    return flat


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    # Platform ids also come as `post_ref` ("x:2122547779679932416"), text no spreadsheet rounds.
    path.write_text(csv_text(list(rows[0]) if rows else ["post_ref"], rows), encoding="utf-8", newline="")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    lines = [f"{_sha256_file(p)}  {p.relative_to(folder).as_posix()}" for p in files]
    (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify_export(folder: Path) -> tuple[list[str], str]:
    """Check an export on its own: every file against MANIFEST, every raw body and capture record
    against its hashes, every post version against its content hash. Returns (problems, summary).

    Never raises on a malformed export (each fault is a problem named), and never reads outside
    the folder: a MANIFEST or capture entry naming an absolute path, a `..`, or a symbolic link
    is refused and reported."""
    manifest = folder / MANIFEST
    if not manifest.is_file() or manifest.is_symlink():
        return [f"{manifest} is missing"], f"{folder}: not an export"
    problems: list[str] = []
    listed: set[str] = set()
    for number, line in enumerate(_text(manifest, problems).splitlines(), start=1):
        digest, _, name = line.partition("  ")
        path = _inside(folder, name)
        if not _HEX64.fullmatch(digest) or path is None:
            problems.append(f"MANIFEST line {number} is not `SHA-256  relative path` inside the export; not read")
            continue
        listed.add(name)
        if not path.is_file():
            problems.append(f"{name} is listed in MANIFEST (line {number}) but missing")
        elif _sha256_file(path) != digest:
            problems.append(f"{name} was changed after export (its SHA-256 no longer matches MANIFEST)")
    extra = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if (p.is_file() or p.is_symlink()) and p.name != MANIFEST
                   and p.relative_to(folder).as_posix() not in listed)
    problems += [f"{name} was added after export (not in MANIFEST)" for name in extra]
    captures = _read_jsonl(folder / "captures.jsonl", problems)
    records = []
    for number, row in enumerate(captures, start=1):
        try:
            body = None
            if row.get("file"):
                path = _inside(folder, row["file"])
                if path is None:
                    problems.append(f"captures.jsonl line {number} names a file outside the export; not read")
                else:
                    body = path.read_bytes().decode("utf-8", "surrogatepass") if path.is_file() else None
                if body is not None and content_hash(body) != row["body_sha256"]:
                    problems.append(f"{row['file']}: the raw body does not match its capture record")
            records.append(Record(Link(int(row["seq"]), str(row["account"]), str(row["source"]), str(row["request"]),
                                       row["status"], datetime.fromisoformat(row["received_at"]),
                                       str(row["body_sha256"]), str(row["prev_hash"])),
                                  str(row["chain_hash"]), body))
        except (KeyError, TypeError, ValueError, AttributeError, UnicodeError, OSError) as exc:
            problems.append(f"captures.jsonl line {number} is not a capture record ({type(exc).__name__})")
    chain = check_chain(records, contiguous=False)
    if chain.problem:
        problems.append(chain.problem)
    posts = _read_jsonl(folder / "posts.jsonl", problems)
    for number, post in enumerate(posts, start=1):
        try:
            for version in post.get("versions", []):
                if content_hash(version["text"]) != version["content_sha256"]:
                    problems.append(f"{post['post_ref']} version {version['number']}: text does not match its hash")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"posts.jsonl line {number} is not a post record ({type(exc).__name__})")
    head = "unknown"
    if (folder / "EXPORT.json").is_file():
        try:
            head = str(json.loads(_text(folder / "EXPORT.json", problems) or "{}")["archive"]["chain_head"])
        except (ValueError, KeyError, TypeError):
            problems.append("EXPORT.json does not state the archive's chain head")
    state = "intact" if not problems else f"{len(problems)} problem(s)"
    return problems, (f"Export {folder}: {state}; {len(listed)} files, {len(posts)} posts, "
                      f"{len(captures)} raw bodies; archive chain head at export {head}.")


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _inside(folder: Path, name: Any) -> Path | None:
    """`folder/name` if `name` is a relative path that stays inside the folder and is no link."""
    if not isinstance(name, str) or not name or "\\" in name or name.startswith("/"):
        return None
    parts = Path(name).parts
    if ".." in parts or Path(name).is_absolute():
        return None
    path = folder / name
    root = folder.resolve()
    probe = path
    while probe != folder:  # no link anywhere on the way: a link could point outside
        if probe.is_symlink():
            return None
        probe = probe.parent
    return path if path.resolve().is_relative_to(root) else None


def _text(path: Path, problems: list[str]) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        problems.append(f"{path.name} cannot be read ({type(exc).__name__})")
        return ""


def _read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    if not path.is_file():
        problems.append(f"{path.name} is missing")
        return []
    rows = []
    for number, line in enumerate(_text(path, problems).splitlines(), start=1):
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            problems.append(f"{path.name} line {number} is not JSON")
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            problems.append(f"{path.name} line {number} is not a JSON object")
    return rows
