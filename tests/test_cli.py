"""The command line end to end on a small recorded council: run, findings, reports, alerts."""

from __future__ import annotations

import ast
import csv
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
import time_machine
from click.testing import CliRunner, Result

from auditor.archive.store import Store
from auditor.cli import cli, main
from auditor.config.settings import load_settings
from reports.period import portable_strftime
from tests.conftest import CONFIG, FIXTURES, NOW, ROOT


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(CONFIG.format(database=database_url, policy=ROOT / "config" / "policy.yaml", replay=FIXTURES),
                    encoding="utf-8")
    return path


def auditor(config: Path, *args: str, now: str | None = NOW) -> Result:
    prefix = ["--config", str(config)] + (["--now", now] if now else [])
    return CliRunner().invoke(cli, [*prefix, *args], catch_exceptions=False)


def test_run_reports_each_account_then_a_summary_and_a_second_run_changes_nothing(config: Path) -> None:
    first = auditor(config, "run")
    assert first.exit_code == 0, first.output
    assert "x @JaneDoe (Jane Doe): 5 read, 5 new" in first.output
    assert "x @CityofLeduc (official)" in first.output
    assert "2 of 2 accounts read" in first.output
    store = Store(load_settings(config).database_url)
    before = store.counts()
    second = auditor(config, "run")
    assert second.exit_code == 0
    assert "0 new, 0 edited" in second.output and "New findings: none." in second.output
    assert store.counts() == before


def test_findings_json_has_the_documented_shape(config: Path) -> None:
    auditor(config, "run")
    data = json.loads(auditor(config, "findings", "--format", "json").output)
    assert isinstance(data, list) and data
    for finding in data:
        assert {"id", "rule", "severity", "clause", "platform", "account", "post_id", "url", "posted_at",
                "evidence", "status"} <= set(finding)
        assert finding["severity"] in ("info", "low", "medium", "high")
        assert finding["posted_at"] is None or finding["posted_at"].endswith("Z")
    by_rule = {f["rule"]: f for f in data}
    decision = by_rule["decision-before-release"]
    assert decision == decision | {"severity": "high", "clause": "E.6", "account": "JaneDoe",
                                   "post_id": "1858000000000000001", "posted_at": "2026-11-17T04:30:00Z"}
    assert by_rule["response-time"]["post_id"] == "1858000000000000009", "the unanswered question, not the answered one"
    assert by_rule["response-time"]["account"] == "JaneDoe"


def test_findings_csv_keeps_long_ids_as_written(config: Path) -> None:
    auditor(config, "run")
    rows = list(csv.DictReader(io.StringIO(auditor(config, "findings", "--format", "csv").output)))
    assert "1858000000000000001" in {r["post_id"] for r in rows}


def test_a_hostile_post_is_escaped_in_the_report_and_the_alert(config: Path, tmp_path: Path) -> None:
    auditor(config, "run")
    result = auditor(config, "report", "weekly", "--week", "2026-W47")
    assert result.exit_code == 0
    html = (tmp_path / "reports" / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert "Week 47, 16–22 November 2026" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "zero\u200bwidth" in html and "\U0001F44D\U0001F3FD" in html and "\u05e9\u05dc\u05d5\u05dd" in html
    assert "prior to their official release through municipal minutes" in html, "the clause is quoted"
    eml = list((tmp_path / "outbox").glob("alert-*.eml"))
    assert len(eml) == 1, "one high finding, one alert"
    from email import message_from_bytes, policy

    message = message_from_bytes(eml[0].read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("[HIGH] Council decision posted before the minutes — Jane Doe")
    assert "script" not in message["Subject"]
    alert_html = message.get_body(("html",)).get_content()
    assert "<script>alert" not in alert_html and "&lt;script&gt;" in alert_html
    assert "Mon 16 Nov 2026, 21:30 MST" in message.get_body(("plain",)).get_content()


def test_alerts_are_written_once_across_runs(config: Path, tmp_path: Path) -> None:
    auditor(config, "run")
    auditor(config, "run")
    auditor(config, "audit")
    assert len(list((tmp_path / "outbox").glob("alert-*.eml"))) == 1


def test_one_account_failing_does_not_stop_the_others_and_exits_1(config: Path) -> None:
    text = config.read_text().replace("      - {platform: x, handle: JaneDoe",
                                      "      - {platform: x, handle: GoneAccount, kind: personal}\n"
                                      "      - {platform: x, handle: JaneDoe")
    config.write_text(text)
    result = auditor(config, "run")
    assert result.exit_code == 1
    assert "@GoneAccount (Jane Doe): FAILED (missing)" in result.output
    assert "x @JaneDoe (Jane Doe): 5 read, 5 new" in result.output
    assert "2 of 3 accounts read" in result.output


def test_an_ad_hoc_audit_writes_a_report_for_the_slice(config: Path, tmp_path: Path) -> None:
    auditor(config, "run")
    result = auditor(config, "audit", "--councillor", "Jane Doe", "--from", "2026-11-16", "--to", "2026-11-18",
                     "--out", str(tmp_path / "adhoc"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "adhoc" / "audit-2026-11-16_to_2026-11-18.html").read_text(encoding="utf-8")
    assert "councillor Jane Doe" in html and "16–18 November 2026" in html
    assert "decision-before-release" in html


def test_an_unknown_councillor_is_a_usage_error(config: Path) -> None:
    result = auditor(config, "audit", "--councillor", "Nobody")
    assert result.exit_code == 2 and "no councillor named 'Nobody'" in result.output


def test_the_weekly_report_defaults_to_last_week_in_council_time(config: Path, tmp_path: Path) -> None:
    auditor(config, "run")
    # Sunday 22:00 in Edmonton is already Monday in UTC: the council's calendar decides which week ended.
    with time_machine.travel(datetime(2026, 11, 29, 22, 0, tzinfo=ZoneInfo("America/Edmonton")), tick=False):
        result = auditor(config, "report", "weekly", now=None)
    assert "Week 47, 16–22 November 2026" in result.output
    assert (tmp_path / "reports" / "weekly-2026-W47.txt").exists()


def test_send_queues_the_weekly_email_once(config: Path, tmp_path: Path) -> None:
    auditor(config, "run")
    first = auditor(config, "report", "weekly", "--week", "2026-W47", "--send")
    second = auditor(config, "report", "weekly", "--week", "2026-W47", "--send")
    assert "Queued for email." in first.output and "not sent again" in second.output
    weekly = list((tmp_path / "outbox").glob("weekly-*.eml"))
    assert [p.name for p in weekly] == ["weekly-2026-W47.eml"]
    from email import message_from_bytes, policy

    message = message_from_bytes(weekly[0].read_bytes(), policy=policy.default)
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert attachments == ["findings-2026-W47.csv"]


HEAVY = ("sqlalchemy", "alembic", "matplotlib", "apscheduler", "tweepy", "facebook", "googleapiclient", "atproto",
         "mastodon", "auditor.archive", "auditor.service", "connectors", "reports")


@pytest.mark.parametrize("code", [
    "import auditor.cli",
    "from auditor.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "from auditor.cli import main\ntry:\n    main(['run', '--help'])\nexcept SystemExit:\n    pass",
])
def test_the_command_line_starts_without_the_archive_the_service_or_any_platform_client(code: str) -> None:
    # A fresh interpreter: other tests have imported everything into this one.
    probe = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = [m for m in done.stdout.splitlines() if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert not loaded, loaded


def _platform_specific_dates(tree: ast.AST) -> list[str]:
    """Format strings with `%-d` and the like given to strftime or an f-string, which Windows refuses."""
    specs: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            specs.append(node.format_spec)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strftime":
            specs.extend(node.args)
    return [c.value for spec in specs for c in ast.walk(spec)
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and "%-" in c.value]


def test_the_command_line_source_never_imports_sqlalchemy_or_the_orm_models() -> None:
    for path in (ROOT / "auditor" / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("sqlalchemy", "auditor.archive.models")), f"{path.name} imports {name}"



def test_no_date_anywhere_is_formatted_in_a_way_windows_refuses() -> None:
    for package in ("auditor", "reports", "connectors"):
        for path in (ROOT / package).rglob("*.py"):
            found = _platform_specific_dates(ast.parse(path.read_text(encoding="utf-8")))
            assert not found, f"{path.relative_to(ROOT)}: {found}; use auditor.dates.portable_strftime"
    for template in (ROOT / "reports" / "templates").iterdir():
        assert ".strftime(" not in template.read_text(encoding="utf-8"), f"{template.name}: use the `day` filter"


def test_the_date_check_sees_platform_specific_formats() -> None:
    bad = ast.parse('f"{when:%a %-d %b}"\nwhen.strftime("%-d %B")\nportable_strftime(when, "%-d %B")')
    assert sorted(_platform_specific_dates(bad)) == ["%-d %B", "%a %-d %b"]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*path, name)))
    return found


def test_every_command_and_subcommand_has_help_text() -> None:
    commands = _commands(cli)
    assert {" ".join(p) for p, _ in commands} >= {
        "run", "audit", "import", "report", "report weekly", "findings", "review", "search", "export", "verify",
        "prune", "schedule", "status", "accounts", "accounts check", "demo"}
    for path, command in [((), cli), *commands]:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        description = (command.help or "").strip()
        assert description, f"{' '.join(path)} has no description"
        assert " ".join(description.split()[:4]) in " ".join(result.output.split()), path


def test_dates_are_written_without_leading_zeros_on_every_platform() -> None:
    moment = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
    assert portable_strftime(moment, "%a %-d %b %Y %H:%M %Z") == "Tue 1 Dec 2026 09:05 UTC"
    assert portable_strftime(moment, "%-d %B at %-H:%M") == "1 December at 9:05"
    assert portable_strftime(date(2026, 1, 9), "%-d/%-m/%Y") == "9/1/2026"
    assert portable_strftime(moment, "100%% on %-d%%-d") == "100% on 1%-d", "an escaped % stays literal"
    with pytest.raises(ValueError, match="%-b"):
        portable_strftime(moment, "%-b")


def test_status_writes_days_without_a_leading_zero(config: Path) -> None:
    auditor(config, "run", now="2026-11-02T09:00:00-07:00")
    result = auditor(config, "status", now="2026-11-02T10:00:00-07:00")
    assert result.exit_code == 0, result.output
    assert "  #1 Mon 2 Nov 09:00 MST replay " in result.output, result.output


def test_an_operators_template_folder_replaces_the_packaged_template_of_the_same_name(config: Path) -> None:
    folder = config.parent / "templates"
    folder.mkdir()
    (folder / "weekly.txt").write_text("Leduc house style: {{ r.title }}, {{ r.period.label }}\n", encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "reports: {templates_dir: templates}\n", encoding="utf-8")
    auditor(config, "run")
    out = config.parent / "out"
    assert auditor(config, "report", "weekly", "--week", "2026-W47", "--out", str(out)).exit_code == 0
    assert (out / "weekly-2026-W47.txt").read_text(encoding="utf-8").startswith("Leduc house style: Weekly")
    assert "<html" in (out / "weekly-2026-W47.html").read_text(encoding="utf-8"), "the others stay packaged"


def test_a_template_folder_that_does_not_exist_is_named_in_a_one_line_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(config.read_text(encoding="utf-8") + "reports: {templates_dir: nowhere}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(config), "--now", NOW, "report", "weekly", "--week", "2026-W47"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "reports.templates_dir" in err and "nowhere is not a folder" in err and "Traceback" not in err
