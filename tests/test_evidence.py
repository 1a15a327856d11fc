"""The archive as evidence: every body kept as received, chained, and any tampering found."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from auditor.cli import cli
from auditor.config.settings import load_settings
from tests.conftest import FIXTURES, NOW


def verify(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "verify"], catch_exceptions=False)
    return result.exit_code, result.output


def sql(config: Path, statement: str) -> None:
    engine = sa.create_engine(load_settings(config).database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def test_every_body_is_kept_exactly_as_received_and_linked_to_its_posts(archived: Path) -> None:
    engine = sa.create_engine(load_settings(archived).database_url)
    with engine.connect() as conn:
        captures = conn.execute(sa.text("SELECT request, body FROM captures ORDER BY seq")).all()
        unlinked = conn.execute(sa.text("SELECT count(*) FROM post_versions WHERE capture_id IS NULL")).scalar()
    engine.dispose()
    recorded = {f"REPLAY {p.relative_to(FIXTURES).as_posix()}": p.read_text(encoding="utf-8")
                for p in FIXTURES.glob("*/*/*.json")}
    assert dict(captures) == recorded
    assert unlinked == 0, "every post version points at the body it came from"


def test_an_intact_archive_verifies_and_a_second_run_adds_no_capture(archived: Path) -> None:
    code, output = verify(archived)
    assert code == 0 and "Archive intact: 3 captures" in output
    CliRunner().invoke(cli, ["--config", str(archived), "--now", NOW, "run"])
    assert "Archive intact: 3 captures" in verify(archived)[1]


@pytest.mark.parametrize(
    ("tampering", "words"),
    [
        ("UPDATE captures SET body = replace(body, 'Snow', 'Rain') WHERE seq = 1", "body was altered"),
        ("UPDATE captures SET request = 'REPLAY elsewhere.json' WHERE seq = 2", "altered after capture"),
        ("DELETE FROM captures WHERE seq = 2", "capture #2 is missing"),
        ("UPDATE captures SET seq = seq + 10 WHERE seq = 1", "capture #1 is missing"),
        ("UPDATE captures SET prev_hash = (SELECT chain_hash FROM captures WHERE seq = 1) WHERE seq = 3",
         "does not follow"),
        ("UPDATE post_versions SET text = 'Nothing to see' WHERE id = 1", "no longer matches its hash"),
    ],
    ids=["body altered", "record altered", "record removed", "records reordered", "chain spliced", "post text altered"],
)
def test_tampering_is_found_whichever_record_is_touched(archived: Path, tampering: str, words: str) -> None:
    sql(archived, "UPDATE post_versions SET capture_id = NULL")  # free the rows so they can be removed
    sql(archived, tampering)
    code, output = verify(archived)
    assert code == 1 and "BROKEN" in output and words in output, output


def test_a_forger_who_recomputes_one_records_hash_still_breaks_the_next(archived: Path) -> None:
    from auditor.archive.chain import Link

    engine = sa.create_engine(load_settings(archived).database_url)
    with engine.begin() as conn:
        row = conn.execute(sa.text("SELECT seq, source, request, status, received_at, body_sha256, prev_hash "
                                   "FROM captures WHERE seq = 2")).one()
        received = datetime.fromisoformat(str(row.received_at)).replace(tzinfo=UTC)
        forged = Link(row.seq, "x/JaneDoe", row.source, "REPLAY forged.json", row.status, received,
                      row.body_sha256, row.prev_hash).hash()
        conn.execute(sa.text("UPDATE captures SET request = 'REPLAY forged.json', chain_hash = :h WHERE seq = 2"),
                     {"h": forged})
    engine.dispose()
    code, output = verify(archived)
    assert code == 1 and "capture #3" in output and "does not follow" in output
