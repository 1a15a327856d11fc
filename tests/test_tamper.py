"""Tampering by someone with write access to the database, and signed checkpoints to catch it.

Each case archives the small recorded council with checkpoints on (`auditor evidence keygen`,
then `auditor run`), tampers with the database or the checkpoint file as an editor would, and
expects `auditor verify` to exit 1 naming what it found.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from auditor.archive.chain import GENESIS, Link
from auditor.cli import cli
from auditor.config.settings import load_settings
from tests.conftest import CONFIG, FIXTURES, NOW, ROOT

pytestmark = pytest.mark.faults


def _invoke(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, *args])
    return result.exit_code, result.output


@pytest.fixture
def signed(tmp_path: Path, database_url: str) -> Path:
    """The small council archived once, with a signing key and one checkpoint."""
    text = CONFIG.format(database=database_url, policy=ROOT / "config" / "policy.yaml", replay=FIXTURES)
    text += "evidence: {checkpoints: evidence/checkpoints.jsonl, signing_key_file: keys/auditor.key}\n"
    config = tmp_path / "auditor.yaml"
    config.write_text(text, encoding="utf-8")
    assert _invoke(config, "evidence", "keygen")[0] == 0
    assert _invoke(config, "run")[0] == 0
    return config


def _sql(config: Path, *statements: str) -> None:
    engine = sa.create_engine(load_settings(config).database_url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rebuild_chain(config: Path) -> None:
    """What a careful editor does after changing a raw body: every hash recomputed, in order."""
    engine = sa.create_engine(load_settings(config).database_url)
    with engine.begin() as conn:
        rows = conn.execute(sa.text(
            "SELECT c.id, c.seq, a.platform, a.handle, c.source, c.request, c.status, c.received_at, c.body "
            "FROM captures c JOIN accounts a ON a.id = c.account_id ORDER BY c.seq")).all()
        previous = GENESIS
        for row in rows:
            stamp = row.received_at
            received = (datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp).replace(tzinfo=UTC)
            digest = _sha(row.body)
            link = Link(row.seq, f"{row.platform}/{row.handle}", row.source, row.request, row.status, received,
                        digest, previous)
            conn.execute(sa.text("UPDATE captures SET body_sha256 = :d, prev_hash = :p, chain_hash = :h WHERE id = :i"),
                         {"d": digest, "p": previous, "h": link.hash(), "i": row.id})
            previous = link.hash()
    engine.dispose()


def test_an_untouched_archive_verifies_against_its_signed_checkpoint(signed: Path) -> None:
    lines = (signed.parent / "evidence" / "checkpoints.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["records"] == 3
    code, output = _invoke(signed, "verify")
    assert code == 0, output
    assert "Checkpoints: 1" in output and "signatures checked" in output and "Archive intact" in output


def test_removing_the_newest_capture_is_detected(signed: Path) -> None:
    _sql(signed,
         "UPDATE post_versions SET capture_id = NULL WHERE capture_id IN (SELECT id FROM captures WHERE seq = 3)",
         "DELETE FROM captures WHERE seq = 3")
    code, output = _invoke(signed, "verify")
    assert code == 1 and "captures #3 to #3 were removed" in output, output


def test_a_rebuilt_chain_is_detected(signed: Path) -> None:
    _sql(signed, "UPDATE captures SET body = replace(body, 'Snow', 'Rain') WHERE seq = 1")
    _rebuild_chain(signed)
    code, output = _invoke(signed, "verify")
    assert code == 1 and "no longer has the signed head hash" in output, output
    assert "chain" not in output.split("BROKEN")[0] or "Archive intact" not in output


def test_a_post_version_rewritten_with_its_hash_is_detected_from_its_raw_body(signed: Path) -> None:
    forged = "Nothing to see here"
    _sql(signed, f"UPDATE post_versions SET text = '{forged}', content_hash = '{_sha(forged)}' WHERE id = 1",
         f"UPDATE posts SET text = '{forged}', content_hash = '{_sha(forged)}' "
         "WHERE id = (SELECT post_id FROM post_versions WHERE id = 1)")
    code, output = _invoke(signed, "verify")
    assert code == 1 and "differs from the text in capture" in output, output


def test_a_posts_current_text_edited_alone_is_detected(signed: Path) -> None:
    _sql(signed, "UPDATE posts SET text = 'Edited' WHERE id = 1")
    code, output = _invoke(signed, "verify")
    assert code == 1 and "is not the text of its newest version" in output, output


def test_an_edited_checkpoint_is_detected(signed: Path) -> None:
    path = signed.parent / "evidence" / "checkpoints.jsonl"
    line = json.loads(path.read_text())
    line["records"] = 2
    path.write_text(json.dumps(line) + "\n")
    code, output = _invoke(signed, "verify")
    assert code == 1 and "signature does not verify" in output, output


def test_each_run_appends_a_checkpoint_and_the_newest_counts(signed: Path) -> None:
    assert _invoke(signed, "run")[0] == 0
    path = signed.parent / "evidence" / "checkpoints.jsonl"
    assert len(path.read_text().splitlines()) == 2
    assert _invoke(signed, "verify")[0] == 0


def test_an_existing_key_is_never_replaced(signed: Path) -> None:
    code, output = _invoke(signed, "evidence", "keygen")
    assert code == 2 and "exists" in output


# -- verify --export on hostile exports ---------------------------------------------------------


def _export(config: Path, tmp_path: Path) -> Path:
    out = tmp_path / "foip"
    assert _invoke(config, "export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out))[0] == 0
    return out


@pytest.mark.parametrize("damage", ["dotdot", "absolute", "garbage", "binary", "bad capture", "bad json",
                                    "no export json", "symlink"])
def test_verify_export_never_crashes_nor_reads_outside(signed: Path, tmp_path: Path, damage: str) -> None:
    folder = _export(signed, tmp_path)
    secret = tmp_path / "outside.txt"
    secret.write_text("outside the export")
    manifest = folder / "MANIFEST"
    digest = _sha("outside the export")
    if damage == "dotdot":
        manifest.write_text(manifest.read_text() + f"{digest}  ../outside.txt\n")
    elif damage == "absolute":
        manifest.write_text(manifest.read_text() + f"{digest}  {secret}\n")
    elif damage == "garbage":
        manifest.write_text("not a manifest\n\n  \n" + "x" * 10_000)
    elif damage == "binary":
        manifest.write_bytes(b"\xff\xfe\x00garbage")
    elif damage == "bad capture":
        (folder / "captures.jsonl").write_text('{"seq": "x"}\n[1, 2]\n{"file": "../outside.txt", "seq": 1}\n')
    elif damage == "bad json":
        (folder / "posts.jsonl").write_text("{" * 5000 + "\n" + '{"versions": [{"text": 5}]}\n')
    elif damage == "no export json":
        (folder / "EXPORT.json").write_text("[]")
    elif damage == "symlink":
        (folder / "raw" / "link.json").symlink_to(secret)
        manifest.write_text(manifest.read_text() + f"{digest}  raw/link.json\n")
    result = CliRunner().invoke(cli, ["--config", str(signed), "verify", "--export", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "BROKEN" in result.output
    if damage in ("dotdot", "absolute", "symlink"):
        assert "inside the export; not read" in result.output
