"""FOIP / discovery exports: complete for the request, and provably unaltered."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.archive.export import verify_export
from auditor.archive.store import Store
from auditor.cli import cli
from auditor.config.settings import load_settings
from tests.conftest import FIXTURES, NOW


def auditor(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, *args], catch_exceptions=False)


@pytest.fixture
def exported(archived: Path, tmp_path: Path) -> Path:
    Store(load_settings(archived).database_url).mark_deleted(
        "x", "1858000000000000008", datetime(2026, 11, 20, tzinfo=UTC)
    )
    out = tmp_path / "foip-2026-17"
    result = auditor(
        archived, "export", "--from", "2026-11-16", "--to", "2026-11-22", "--councillor", "Jane Doe", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_an_export_holds_every_post_version_deletion_reply_finding_and_raw_body(exported: Path) -> None:
    posts = {p["post_id"]: p for p in read_jsonl(exported / "posts.jsonl")}
    mine = {pid for pid, p in posts.items() if p["role"] == "councillor"}
    assert mine == {"1858000000000000001", "1858000000000000005", "1858000000000000008"}
    assert posts["1858000000000000008"]["deleted_at"] == "2026-11-20T00:00:00Z", "deleted posts are kept and marked"
    context = {pid for pid, p in posts.items() if p["role"] == "context"}
    assert {"1858000000000000003", "1858000000000000009"} <= context, "the residents' replies around them"
    assert all(p["versions"] and p["versions"][0]["capture_seq"] for p in posts.values())
    findings = read_jsonl(exported / "findings.jsonl")
    assert {f["rule"] for f in findings} == {"decision-before-release"}
    captures = read_jsonl(exported / "captures.jsonl")
    recorded = {
        f"REPLAY {p.relative_to(FIXTURES).as_posix()}": p.read_bytes() for p in FIXTURES.glob("x/JaneDoe/*.json")
    }
    assert {c["request"]: (exported / c["file"]).read_bytes() for c in captures} == recorded


def test_an_export_verifies_on_its_own(exported: Path) -> None:
    problems, summary = verify_export(exported)
    assert problems == [] and "intact" in summary
    result = CliRunner().invoke(cli, ["verify", "--export", str(exported)])
    assert result.exit_code == 0


@pytest.mark.parametrize("target", ["posts.csv", "posts.jsonl", "raw/00000002.body"])
def test_changing_one_byte_anywhere_is_found(exported: Path, target: str) -> None:
    path = exported / target
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    problems, _ = verify_export(exported)
    assert any(target in p for p in problems), problems


def test_a_forger_who_also_rewrites_the_manifest_is_still_caught(exported: Path) -> None:
    import hashlib

    body = exported / "raw" / "00000002.body"
    body.write_bytes(body.read_bytes().replace(b"Council voted", b"Council met"))
    manifest = exported / "MANIFEST"
    lines = [
        f"{hashlib.sha256((exported / n).read_bytes()).hexdigest()}  {n}"
        for n in (line.split("  ", 1)[1] for line in manifest.read_text().splitlines())
    ]
    manifest.write_text("\n".join(lines) + "\n")
    problems, _ = verify_export(exported)
    assert any("does not match its capture record" in p for p in problems)


def test_an_added_file_is_found(exported: Path) -> None:
    (exported / "raw" / "extra.body").write_text("{}")
    assert any("added after export" in p for p in verify_export(exported)[0])


def test_spreadsheet_csv_keeps_ids_as_text_and_reads_back_exactly(exported: Path) -> None:
    raw = (exported / "posts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    rows = list(csv.DictReader((exported / "posts.csv").open(encoding="utf-8-sig", newline="")))
    posts = read_jsonl(exported / "posts.jsonl")
    assert {r["post_id"] for r in rows} == {p["post_id"] for p in posts}
    assert all(r["post_ref"] == f"x:{r['post_id']}" for r in rows)
    hostile = next(r for r in rows if r["post_id"] == "1858000000000000001")
    assert hostile["text"] == next(p for p in posts if p["post_id"] == "1858000000000000001")["versions"][0]["text"]


def test_a_query_narrows_the_export_to_posts_that_mention_it(archived: Path, tmp_path: Path) -> None:
    out = tmp_path / "pool"
    auditor(
        archived,
        "export",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--query",
        "POOL renovations",
        "--out",
        str(out),
    )
    mine = [p["post_id"] for p in read_jsonl(out / "posts.jsonl") if p["role"] == "councillor"]
    assert mine == ["1858000000000000008"]


def test_an_export_refuses_a_folder_that_is_not_empty(archived: Path, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    result = auditor(archived, "export", "--from", "2026-11-16", "--to", "2026-11-22", "--out", str(tmp_path / "busy"))
    assert result.exit_code == 2 and "not empty" in result.output
