"""Faults and hostile input: one bad body is one account's error, and the run goes on.

Each malformed body sits in the middle of a three-account replay run (the City's X account,
a councillor's Facebook Page with the bad body, the councillor's X account): the accounts
around it are read and audited, the bad one fails alone as `malformed` with its reason, no
traceback reaches the user, and the run is never left `running`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import cli
from tests.conftest import FIXTURES, NOW, ROOT

pytestmark = pytest.mark.faults

CONFIG = """
council: {{name: Test Council, timezone: America/Edmonton}}
database: {database}
policy: {policy}
replay: {replay}
reports_dir: reports
official_accounts:
  - {{platform: x, handle: CityofLeduc, id: "1111", kind: official-city}}
councillors:
  - name: Jane Doe
    accounts:
      - {{platform: facebook, handle: JaneDoePage, id: "3333", kind: representative}}
      - {{platform: x, handle: JaneDoe, id: "2222", kind: representative}}
meetings:
  - {{start: 2026-11-16T19:00:00-07:00, minutes_released: 2026-11-20T12:00:00-07:00, agenda: [ring road]}}
email: {{from: auditor@example.org, alerts_to: [comms@example.org], weekly_to: [comms@example.org], outbox: outbox}}
"""


def _fb_post(**changes: object) -> dict[str, object]:
    post: dict[str, object] = {
        "id": "3333_1001",
        "message": "Thanks to everyone who came out to the library open house today.",
        "created_time": "2026-11-21T23:00:00+0000",
        "permalink_url": "https://www.facebook.com/3333/posts/1001",
        "from": {"name": "Jane Doe", "id": "3333"},
    }
    post.update(changes)
    return post


def _page(*posts: dict[str, object], **extra: object) -> str:
    return json.dumps({"data": list(posts), **extra})


DEEP = '{"data": [' + "[" * 1000 + "]" * 1000 + "]}"
MALFORMED = {
    "nested 1,000 deep": DEEP,
    "nested 100 deep": '{"data": [], "x": ' + "[" * 100 + "]" * 100 + "}",
    "not JSON": "{\"data\": [",
    "a JSON array": "[1, 2, 3]",
    "message is a number": _page(_fb_post(message=12345)),
    "permalink_url is an object": _page(_fb_post(permalink_url={"href": "https://example.org"})),
    "from.name is a list": _page(_fb_post(**{"from": {"name": ["Jane", "Doe"], "id": "3333"}})),
    "from.id is an object": _page(_fb_post(**{"from": {"name": "Jane", "id": {"n": 1}}})),
    "id is a number": _page(_fb_post(id=31337)),
    "created_time is a number": _page(_fb_post(created_time=1700000000)),
    "comments.data holds strings": _page(_fb_post(comments={"data": ["hello"]})),
    "a comment's message is an object": _page(_fb_post(comments={"data": [
        {"id": "1001_1", "message": {"t": 1}, "created_time": "2026-11-21T23:10:00+0000"}]})),
    "data is a string": json.dumps({"data": "posts"}),
    "error is a string": json.dumps({"error": "boom"}),
}
# Shapes a parser can read past without guessing: an optional part of the wrong type is absent.
TOLERATED = {
    "comments is a list": _page(_fb_post(comments=[{"id": "c"}])),
    "paging.cursors is a list": _page(_fb_post(), paging={"cursors": ["a", "b"], "next": "https://graph.facebook.com/n"}),
    "paging is a string": _page(_fb_post(), paging="next"),
    "from is a string": _page(_fb_post(**{"from": "Jane"})),
}


def _council(tmp_path: Path, database_url: str, bodies: dict[str, str]) -> Path:
    replay = tmp_path / "replay"
    shutil.copytree(FIXTURES, replay, ignore=shutil.ignore_patterns("README.md"))
    folder = replay / "facebook" / "JaneDoePage"
    folder.mkdir(parents=True)
    for name, text in bodies.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = tmp_path / "auditor.yaml"
    path.write_text(CONFIG.format(database=database_url, policy=ROOT / "config" / "policy.yaml", replay=replay),
                    encoding="utf-8")
    return path


def _run(config: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, *args])


def _store(config: Path):  # type: ignore[no-untyped-def]
    from auditor.config.settings import load_settings
    from auditor.service.cycle import open_store

    return open_store(load_settings(config))


@pytest.mark.parametrize("case", list(TOLERATED))
def test_an_optional_part_of_the_wrong_type_is_read_past(tmp_path: Path, case: str) -> None:
    config = _council(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", {"001-odd.json": TOLERATED[case]})
    result = _run(config, "run")
    assert result.exit_code == 0 and "FAILED" not in result.output, result.output


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_body_fails_its_account_alone_and_the_run_goes_on(tmp_path: Path, case: str) -> None:
    config = _council(tmp_path, f"sqlite:///{tmp_path / 'a.db'}",
                      {"001-good.json": _page(_fb_post(id="3333_9")), "002-bad.json": MALFORMED[case]})
    result = _run(config, "run")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    failed = [line for line in result.output.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and "facebook @JaneDoePage" in failed[0] and "(malformed)" in failed[0], result.output
    assert "x @JaneDoe" in result.output and "x @CityofLeduc" in result.output
    store = _store(config)
    runs = store.runs()
    assert [r.status for r in runs] == ["partial"]
    views = store.post_views()
    assert {v.feed_account for v in views} == {"CityofLeduc", "JaneDoe"}  # the bad account stored nothing
    assert store.counts()["findings"] > 0  # the others were audited
    # the next cycle fails the same account the same way, and nothing else
    again = _run(config, "run")
    assert again.exit_code == 1 and again.output.count("FAILED") == 1


def test_malformed_bodies_on_both_databases(tmp_path: Path, database_url: str) -> None:
    config = _council(tmp_path, database_url, {"001-bad.json": MALFORMED["message is a number"]})
    result = _run(config, "run")
    assert result.exit_code == 1 and result.output.count("FAILED") == 1, result.output
    assert [r.status for r in _store(config).runs()] == ["partial"]


def test_a_lone_surrogate_is_kept_in_the_raw_body_and_replaced_in_the_text(tmp_path: Path, database_url: str) -> None:
    body = '{"data": [' + json.dumps(_fb_post(message="PLACEHOLDER"))[:-1] + "}]}"
    body = body.replace("PLACEHOLDER", "broken \\ud800 surrogate").replace(
        '"name": "Jane Doe"', '"name": "Jane \\udfff Doe"')
    config = _council(tmp_path, database_url, {"001-lone.json": body})
    result = _run(config, "run")
    assert result.exit_code == 0, result.output
    store = _store(config)
    post = next(v for v in store.post_views() if v.platform == "facebook")
    assert post.text == "broken \ufffd surrogate"
    assert store.chain().intact
    with store.session() as session:
        from sqlalchemy import text

        bodies = [b for (b,) in session.execute(text("SELECT body FROM captures"))]
    assert any("\\ud800" in b for b in bodies)  # the raw body is as received


def test_an_unexpected_error_while_storing_is_that_accounts_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from auditor.archive.posts import PostsArchive

    config = _council(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", {"001-good.json": _page(_fb_post())})
    real = PostsArchive.ingest

    def ingest(self, platform, handle, *args, **kwargs):  # type: ignore[no-untyped-def]
        if handle == "JaneDoePage":
            raise LookupError("disk on fire")
        return real(self, platform, handle, *args, **kwargs)

    monkeypatch.setattr(PostsArchive, "ingest", ingest)
    result = _run(config, "-v", "run")
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if "FAILED" in line)
    assert "(internal)" in line and "LookupError: disk on fire" in line
    assert "Traceback" not in result.output
    assert _store(config).runs()[0].status == "partial"


def test_the_run_is_not_left_running_when_the_audit_fails(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from auditor.service import cycle

    config = _council(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", {"001-good.json": _page(_fb_post())})

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("rule crashed")

    monkeypatch.setattr(cycle, "audit", broken)
    result = _run(config, "run")
    assert result.exit_code != 0
    assert [r.status for r in _store(config).runs()] == ["failed"]


# -- one run at a time ------------------------------------------------------------------------


def test_a_second_run_exits_3_while_another_holds_the_archive(tmp_path: Path, database_url: str) -> None:
    from datetime import UTC, datetime

    from auditor.archive.lock import run_lock

    config = _council(tmp_path, database_url, {"001-good.json": _page(_fb_post())})
    store = _store(config)
    with run_lock(store, "run", datetime(2026, 11, 23, 16, 0, tzinfo=UTC), wait=0):
        for command in (["run"], ["audit"], ["prune"]):
            result = CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, "--wait", "0.3", *command])
            if command == ["prune"] and result.exit_code == 0:
                continue  # no retention configured: prune does nothing and takes no lock
            assert result.exit_code == 1 or isinstance(result.exception, Exception)
            assert type(result.exception).__name__ == "RunInProgress", result.output
            assert "another run is in progress since" in str(result.exception)
    assert _run(config, "run").exit_code == 0  # free again


def test_the_command_line_says_it_in_one_line_and_exits_3(tmp_path: Path, database_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from auditor.archive.lock import run_lock
    from auditor.cli import main

    config = _council(tmp_path, database_url, {"001-good.json": _page(_fb_post())})
    with run_lock(_store(config), "run", datetime(2026, 11, 23, 16, 0, tzinfo=UTC), wait=0):
        with pytest.raises(SystemExit) as exit_:
            main(["--config", str(config), "--wait", "0", "run"])
    assert exit_.value.code == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("auditor: another run is in progress since ") and "\n" not in err


def test_a_run_left_running_by_a_crash_is_marked_interrupted(tmp_path: Path, database_url: str) -> None:
    from datetime import UTC, datetime

    config = _council(tmp_path, database_url, {"001-good.json": _page(_fb_post())})
    _store(config).start_run(datetime(2026, 11, 22, tzinfo=UTC), "replay")  # and then the process died
    _run(config, "run")
    assert [r.status for r in _store(config).runs()] == ["interrupted", "ok"]


def test_two_runs_at_once_on_a_new_archive_both_finish(tmp_path: Path, database_url: str) -> None:
    import subprocess
    import sys

    config = _council(tmp_path, database_url, {"001-good.json": _page(_fb_post())})
    command = [sys.executable, "-c", "from auditor.cli import main; main()", "--config", str(config),
               "--now", NOW, "run"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
            for _ in range(2)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0, 0], results
    assert all("Traceback" not in err for _, _, err in results)
    store = _store(config)
    assert [r.status for r in store.runs()] == ["ok", "ok"]
    assert len(store.post_views()) == 7  # each post once


def test_migrations_from_two_threads_at_once(tmp_path: Path, database_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from auditor.archive.store import Store

    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Store(database_url), range(4)))
    assert all(s.runs() == [] for s in stores)


# -- terminal output, reports and machine faults ------------------------------------------------


def test_control_characters_are_shown_not_obeyed() -> None:
    from auditor.visible import visible

    assert visible("a\x1b]0;pwned\x07b\x00\r\n\tc\u202ed\u0085") == "a\\x1b]0;pwned\\x07b\\x00\\x0d\n\tc\\u202ed\\x85"


def test_escape_sequences_in_posts_reach_neither_terminal_nor_text_report(tmp_path: Path) -> None:
    hostile = "\u001b[2J\u001b]0;owned\u0007 You idiot, that is not true \u0000"
    config = _council(tmp_path, f"sqlite:///{tmp_path / 'a.db'}",
                      {"001-hostile.json": _page(_fb_post(message=hostile, id="3333_7"))})
    assert _run(config, "run").exit_code == 0
    for args in (["findings"], ["search", "idiot"], ["report", "weekly", "--week", "2026-W47"]):
        result = _run(config, *args)
        assert "\x1b" not in result.output and "\x07" not in result.output and "\x00" not in result.output, args
    assert "\\x1b" in _run(config, "search", "idiot").output
    text = next((tmp_path / "reports").glob("*.txt")).read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x00" not in text
    html = next((tmp_path / "reports").glob("*.html")).read_text(encoding="utf-8")
    assert "<script" not in html.lower() or "&lt;script" in html.lower()


def test_a_full_disk_never_leaves_a_0_byte_report(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    from auditor.service import reporting

    config = _council(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", {"001-good.json": _page(_fb_post())})
    assert _run(config, "run").exit_code == 0
    assert _run(config, "report", "weekly", "--week", "2026-W47").exit_code == 0
    reports = sorted((tmp_path / "reports").glob("weekly-*"))
    before = {p: p.read_bytes() for p in reports}
    real_open = open

    def full(path, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        handle = real_open(path, mode, *args, **kwargs)
        if "w" in mode:
            def write(_data):  # type: ignore[no-untyped-def]
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            handle.write = write
        return handle

    monkeypatch.setattr(reporting, "open", full, raising=False)
    result = _run(config, "report", "weekly", "--week", "2026-W47")
    assert result.exit_code != 0
    assert {p: p.read_bytes() for p in reports} == before  # the good reports are untouched
    assert sorted((tmp_path / "reports").iterdir()) == reports  # no temporary file left behind


def test_machine_faults_are_one_line_naming_what_to_fix(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from auditor.cli import main

    config = _council(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/nowhere", {})
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(config), "status"])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and "\n" not in err and "Traceback" not in err
    assert err.startswith("auditor: the archive database cannot be used") and "database:" in err
    good = _council(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", {"001-good.json": _page(_fb_post())})
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit):
        main(["--config", str(good), "--now", NOW, "report", "weekly", "--out", str(tmp_path / "file" / "x")])
    err = capsys.readouterr().err.strip()
    assert err.startswith("auditor: cannot use") and "\n" not in err
