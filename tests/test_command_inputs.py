"""Bad input to any command is one line on stderr and exit code 2: never a traceback, never a
quietly empty result (a misspelt councillor is refused with the names the configuration knows)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import cli, main
from tests.conftest import CONFIG, FIXTURES, NOW, ROOT


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small recorded council, run once, on SQLite; with a few files to point commands at."""
    folder = tmp_path_factory.mktemp("council")
    path = folder / "auditor.yaml"
    path.write_text(CONFIG.format(database=f"sqlite:///{folder / 'archive.db'}", policy=ROOT / "config" / "policy.yaml",
                                  replay=FIXTURES), encoding="utf-8")
    assert CliRunner().invoke(cli, ["--config", str(path), "--now", NOW, "run"]).exit_code == 0
    (folder / "a-file").write_text("not a folder", encoding="utf-8")
    with zipfile.ZipFile(folder / "twitter-archive.zip", "w") as archive:
        archive.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    (folder / "latin1.js").write_bytes(b"window.YTD.tweets.part0 = [\"caf\xe9\"]")
    (folder / "deep.js").write_text("window.YTD.tweets.part0 = " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return path


PERIOD = ["--from", "2026-11-01", "--to", "2026-11-30"]

# (id, the command line after --config and --now, words the one line must hold)
CASES: list[tuple[str, list[str], list[str]]] = [
    ("export from after to", ["export", "--from", "2026-11-30", "--to", "2026-11-01", "--out", "{dir}/e"],
     ["--from 2026-11-30 is after --to 2026-11-01"]),
    ("export to year 9999", ["export", "--from", "2026-11-01", "--to", "9999-12-31", "--out", "{dir}/e"],
     ["--to", "9999-12-31 is out of range"]),
    ("audit to year 9999", ["audit", "--to", "9999-12-31"], ["--to", "out of range"]),
    ("search to year 9999", ["search", "ring road", "--to", "9999-12-31"], ["--to", "out of range"]),
    ("search from year 1", ["search", "ring road", "--from", "0001-01-01"], ["--from", "out of range"]),
    ("search from after to", ["search", "ring road", "--from", "2026-11-30", "--to", "2026-11-01"],
     ["is after --to"]),
    ("audit from after to", ["audit", "--from", "2026-11-30", "--to", "2026-11-01"], ["is after --to"]),
    ("export misspelt councillor", ["export", *PERIOD, "--councillor", "Jane Do", "--out", "{dir}/e"],
     ["no councillor named 'Jane Do'", "(known: 'Jane Doe')"]),
    ("export unknown account", ["export", *PERIOD, "--account", "JaneD", "--out", "{dir}/e"],
     ["no account 'JaneD'", "(known: CityofLeduc, JaneDoe)"]),
    ("search misspelt councillor", ["search", "ring road", "--councillor", "Jane Do"], ["(known: 'Jane Doe')"]),
    ("audit unknown councillor", ["audit", "--councillor", "Nobody"], ["no councillor named 'Nobody'", "known"]),
    ("audit unknown account", ["audit", "--account", "@Nobody"], ["no account '@Nobody'", "(known: "]),
    ("export into a file", ["export", *PERIOD, "--out", "{dir}/a-file"], ["--out", "is a file"]),
    ("export under a file", ["export", *PERIOD, "--out", "{dir}/a-file/export"], ["--out", "cannot be created"]),
    ("export without dates", ["export", "--out", "{dir}/e"], ["Missing option '--from'"]),
    ("review an unknown finding", ["review", "99999"], ["there is no finding #99999"]),
    ("decide on an unknown finding", ["review", "99999", "--acknowledge", "--by", "A. Clerk"],
     ["there is no finding #99999"]),
    ("two decisions at once", ["review", "1", "--dismiss", "--acknowledge", "--by", "A. Clerk", "--note", "n"],
     ["choose one of --acknowledge, --dismiss and --escalate"]),
    ("a decision without --by", ["review", "1", "--acknowledge"], ["--by NAME"]),
    ("dismissed without a note", ["review", "1", "--dismiss", "--by", "A. Clerk"], ["--note"]),
    ("review a word", ["review", "five"], ["'five' is not a valid integer"]),
    ("week 9999-W52", ["report", "weekly", "--week", "9999-W52"], ["--week", "between 1970 and 2999"]),
    ("week 60", ["report", "weekly", "--week", "2026-W60"], ["--week", "no week 60"]),
    ("week without a year", ["report", "weekly", "--week", "47"], ["--week"]),
    ("findings since year 9999", ["findings", "--since", "9999-12-31"], ["--since", "out of range"]),
    ("findings since 30 February", ["findings", "--since", "2026-02-30"], ["--since", "not a date"]),
    ("findings of an unknown severity", ["findings", "--severity", "urgent"], ["--severity"]),
    ("findings in an unknown format", ["findings", "--format", "xml"], ["--format"]),
    ("import for an unknown account", ["import", "x-archive", "{dir}/a-file", "--account", "Nobody"],
     ["--account", "Nobody"]),
    ("import a missing file", ["import", "x-archive", "{dir}/nowhere.js", "--account", "JaneDoe"],
     ["does not exist"]),
    ("import a zip archive", ["import", "x-archive", "{dir}/twitter-archive.zip", "--account", "JaneDoe"],
     ["is a zip archive: unzip it"]),
    ("import Latin-1 text", ["import", "x-archive", "{dir}/latin1.js", "--account", "JaneDoe"], ["not UTF-8 text"]),
    ("import deep JSON", ["import", "x-archive", "{dir}/deep.js", "--account", "JaneDoe"], ["nested too deeply"]),
    ("run a missing replay folder", ["run", "--replay", "{dir}/nowhere"], ["--replay", "is not a directory"]),
    ("verify a missing export", ["verify", "--export", "{dir}/nowhere"], ["--export", "does not exist"]),
    ("an unknown command", ["frobnicate"], ["No such command 'frobnicate'"]),
    ("an unknown option", ["findings", "--colour"], ["No such option '--colour'"]),
]

NOW_CASES: list[tuple[str, list[str], list[str]]] = [
    ("now at the end of the calendar", ["--now", "9999-12-31T23:59:59-07:00", "findings"], ["--now", "out of range"]),
    ("now at its start", ["--now", "0001-01-01T00:00:00+01:00", "status"], ["--now", "out of range"]),
    ("now in UTC at its end", ["--now", "9999-12-31T23:59:59+00:00", "audit"], ["--now", "out of range"]),
    ("now in words", ["--now", "yesterday", "findings"], ["--now", "ISO 8601"]),
    ("now without an offset", ["--now", "2026-11-23T09:00:00", "findings"], ["--now", "UTC offset"]),
]


@pytest.mark.parametrize(("args", "words"), [c[1:] for c in CASES + NOW_CASES], ids=[c[0] for c in CASES + NOW_CASES])
def test_bad_command_input_is_one_line_and_exit_2(
    council: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: list[str]
) -> None:
    args = [a.replace("{dir}", str(council.parent)) for a in args]
    prefix = ["--config", str(council)] + ([] if args[0] == "--now" else ["--now", NOW])
    with pytest.raises(SystemExit) as exited:
        main([*prefix, *args])
    out, err = capsys.readouterr()
    assert exited.value.code == 2, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]


def test_there_are_many_command_cases() -> None:
    assert len(CASES + NOW_CASES) >= 40


def test_names_are_matched_without_regard_to_case_and_the_configured_spelling_is_used(
    council: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(council), "--now", NOW, "search", "council", "--councillor", "jane doe"])
    assert exited.value.code == 0
    assert "post(s)." in capsys.readouterr().out


def test_an_unexpected_error_is_one_line_exit_1_not_a_traceback(
    council: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.cli.common import App

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("the disk\nis on fire")

    monkeypatch.setattr(App, "store", broken)
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(council), "--now", NOW, "findings", "--format", "json"])
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert err.strip() == ("auditor: unexpected error: RuntimeError: the disk is on fire "
                           "(please report it; -vv shows where it happened)")
