"""A bad configuration is one clear message naming the file and the field, and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import cli, main
from auditor.config.settings import ConfigError, load_settings

GOOD = """
council: {name: Test Council, timezone: America/Edmonton}
database: sqlite:///archive.db
policy: POLICY
councillors:
  - name: Jane Doe
    accounts:
      - {platform: x, handle: JaneDoe, id: 2222, kind: personal}
meetings:
  - {start: 2026-11-09T19:00:00-07:00, minutes_released: 2026-11-13T12:00:00-07:00}
"""


def write(tmp_path: Path, text: str, policy_file: Path) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(text.replace("POLICY", str(policy_file)), encoding="utf-8")
    return path


def test_a_good_file_loads_with_paths_relative_to_it(tmp_path: Path, policy_file: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD, policy_file))
    assert settings.database_url == f"sqlite:///{tmp_path / 'archive.db'}"
    assert settings.councillors[0].accounts[0].id == "2222"  # a YAML number kept as text
    assert settings.council.tz.key == "America/Edmonton"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("council: {name: Test Council, timezone: America/Edmonton}",
          "council: {name: Test Council, timezone: Mars/Olympus}"), "council.timezone", "unknown time zone"),
        (("database:", "databse:"), "databse", "unknown key"),
        (("kind: personal}", "kind: personal, extra: 1}"), "councillors[0].accounts[0].extra", "unknown key"),
        (("{platform: x,", "{platform: myspace,"), "councillors[0].accounts[0].platform", "'x'"),
        (("start: 2026-11-09T19:00:00-07:00", "start: next tuesday"), "meetings[0].start", "datetime"),
        (("start: 2026-11-09T19:00:00-07:00", "start: 2026-11-09T19:00:00"), "meetings[0].start", "UTC offset"),
        (("minutes_released: 2026-11-13T12:00:00-07:00", "minutes_released: 2026-11-01T12:00:00-07:00"),
         "meetings[0]", "before the meeting"),
        (("council: {name: Test Council, timezone: America/Edmonton}", "council: {timezone: America/Edmonton}"),
         "council.name", "missing"),
    ],
)
def test_a_bad_field_is_named_with_its_file(tmp_path: Path, policy_file: Path, change: tuple[str, str],
                                            field: str, words: str) -> None:
    path = write(tmp_path, GOOD.replace(*change), policy_file)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.path == str(path)
    assert caught.value.field == field
    assert words in caught.value.problem


def test_a_missing_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.yaml: file not found"):
        load_settings(tmp_path / "nowhere.yaml")


def test_broken_yaml_names_the_line(tmp_path: Path, policy_file: Path) -> None:
    path = write(tmp_path, GOOD + "councillors: [\n", policy_file)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.field and caught.value.field.startswith("line ")


def test_a_policy_typo_is_reported_in_the_policy_file(tmp_path: Path, policy_file: Path) -> None:
    policy_file.write_text(policy_file.read_text().replace("    insults:", "    insult:", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD, policy_file))
    assert caught.value.path == str(policy_file)
    assert caught.value.field == "rules.tone.insult"


def test_an_unknown_rule_in_the_policy_is_refused(tmp_path: Path, policy_file: Path) -> None:
    text = policy_file.read_text().replace("rules:\n", "rules:\n  tone-police: {enabled: true}\n", 1)
    policy_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD, policy_file))
    assert caught.value.field == "rules.tone-police"


def test_the_cli_exits_2_with_one_line_and_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("council: {name: Test, timezone: Not/AZone}\nbogus_key: 1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(bad), "findings", "--format", "json"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "council.timezone" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for command in (["run"], ["audit"], ["report", "weekly"], ["findings"], ["schedule"], ["demo"]):
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0, command
        assert len(result.output.splitlines()) > 4, f"{command} has no real help"


def test_a_usage_error_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "weekly", "--week", "47"])
    assert result.exit_code == 2


def test_handles_are_kept_without_a_leading_at_sign(tmp_path: Path, policy_file: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD.replace("handle: JaneDoe", "handle: '@JaneDoe'"), policy_file))
    assert settings.councillors[0].accounts[0].handle == "JaneDoe"


def test_a_mastodon_account_without_its_server_is_refused_at_load(tmp_path: Path, policy_file: Path) -> None:
    text = GOOD.replace("{platform: x, handle: JaneDoe, id: 2222, kind: personal}",
                        "{platform: mastodon, handle: janedoe, kind: personal}")
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text, policy_file))
    assert caught.value.field == "councillors[0].accounts[0]" and "instance" in caught.value.problem
