"""`auditor config check`, and the same checks at every command's start: a broken configuration is
one line naming the file and the field, exit code 2, and never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.cli import main
from tests.conftest import ROOT

GOOD = """\
council: {name: Test Council, timezone: America/Edmonton, preferred_platforms: [facebook, x]}
database: sqlite:///archive.db
policy: policy.yaml
replay: replay
reports_dir: reports
official_accounts:
  - {platform: x, handle: CityofLeduc, id: "1111"}
councillors:
  - name: Jane Doe
    role: Councillor
    accounts:
      - {platform: x, handle: JaneDoe, id: "2222", kind: personal}
      - {platform: facebook, handle: JaneDoePage, id: "3333", kind: representative}
  - name: Amrit Singh
    accounts:
      - {platform: mastodon, handle: amrit, instance: https://mastodon.social}
meetings:
  - start: 2026-11-16T19:00:00-07:00
    minutes_released: 2026-11-20T12:00:00-07:00
    agenda: [ring road contract]
emergencies:
  - {start: 2026-06-01T06:00:00-06:00, end: 2026-06-04T00:00:00-06:00, topics: [flood]}
email:
  from: auditor@example.org
  weekly_to: [communications@example.org]
  alerts_to: [communications@example.org]
  alert_min_severity: high
  smtp: {host: smtp.example.org, port: 587, starttls: true, username_env: SMTP_USER, password_env: SMTP_PASSWORD}
schedule: {pull: "*/30 * * * *", weekly_report: "0 8 * * mon"}
retention: {raw_bodies_days: 730}
deletions: {window_days: 14, check_every_hours: 24}
platforms:
  x: {bearer_token_env: X_BEARER_TOKEN, monthly_read_cap: 10000}
  facebook: {token_env: FACEBOOK_TOKEN, graph_version: v23.0}
"""

CALENDAR = "meetings: {ics: meetings.ics}\nemergencies:"
MEETINGS = """meetings:
  - start: 2026-11-16T19:00:00-07:00
    minutes_released: 2026-11-20T12:00:00-07:00
    agenda: [ring road contract]
emergencies:"""


def setup(tmp_path: Path) -> Path:
    """The good configuration, its policy and its replay folder, under tmp_path."""
    shutil.copy(ROOT / "config" / "policy.yaml", tmp_path / "policy.yaml")
    (tmp_path / "replay").mkdir()
    path = tmp_path / "auditor.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def check(path: Path, capsys: pytest.CaptureFixture[str], *command: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(path), "--now", "2026-11-23T09:00:00-07:00", *(command or ("config", "check"))])
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_a_good_configuration_is_summarised_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(setup(tmp_path), capsys)
    assert code == 0, err
    assert out.startswith("configuration OK: 2 councillors, 4 accounts (1 of the City), 1 meeting (listed), "
                          "1 emergency; policy "), out
    assert "rules on" in out and "archive sqlite" in out


def test_config_check_names_the_secrets_the_accounts_need(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = setup(tmp_path)
    path.write_text(GOOD.replace("replay: replay", "replay: null"), encoding="utf-8")
    for name in ("X_BEARER_TOKEN", "FACEBOOK_TOKEN", "SMTP_USER", "SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMTP_USER", "mailer")
    code, out, _ = check(path, capsys)
    assert code == 0
    assert "note: X_BEARER_TOKEN is not set (to read X accounts)" in out
    assert "note: FACEBOOK_TOKEN is not set (to read Facebook @JaneDoePage)" in out
    assert "SMTP_PASSWORD is not set" in out and "SMTP_USER is not" not in out


def _replace(old: str, new: str) -> tuple[str, str]:
    assert old in GOOD or old in ("POLICY",), old
    return old, new


# (id, change to the configuration, what to do to the policy or the folder, words the error must hold)
BROKEN: list[tuple[str, tuple[str, str] | None, str | None, list[str]]] = [
    ("unknown time zone", _replace("timezone: America/Edmonton", "timezone: Mars/Olympus"), None,
     ["council.timezone", "unknown time zone"]),
    ("council without a name", _replace("{name: Test Council, ", "{"), None, ["council.name", "missing"]),
    ("preferred platform unknown", _replace("preferred_platforms: [facebook, x]", "preferred_platforms: [myspace]"),
     None, ["council.preferred_platforms[0]"]),
    ("database dialect typo", _replace("sqlite:///archive.db", "mysqll://localhost/auditor"), None,
     ["database", "unknown database dialect 'mysqll'"]),
    ("database without a scheme", _replace("sqlite:///archive.db", "archive.db"), None,
     ["database", "not a database URL"]),
    ("policy file misspelt", _replace("policy: policy.yaml", "policy: polcy.yaml"), None,
     ["auditor.yaml: policy: ", "polcy.yaml not found"]),
    ("policy is a folder", _replace("policy: policy.yaml", "policy: replay"), None, ["policy: ", "is a folder"]),
    ("policy file empty", None, "empty-policy", ["policy.yaml: is empty"]),
    ("policy value of the wrong type", None, "policy:rules:\n  tone: {enabled: maybe}\n",
     ["policy.yaml: rules.tone.enabled"]),
    ("policy unknown rule", None, "policy:rules:\n  tone-police: {enabled: true}\n",
     ["policy.yaml: rules.tone-police", "unknown rule id"]),
    ("policy min_exchanges 0", None, "policy:rules:\n  unmoderated-debate: {min_exchanges: 0}\n",
     ["rules.unmoderated-debate.min_exchanges"]),
    ("policy duplicate key", None, "policy:rules:\n  tone: {enabled: true}\n  tone: {enabled: false}\n",
     ["policy.yaml: line ", "'tone' appears twice"]),
    ("replay folder missing", _replace("replay: replay", "replay: recorded"), None,
     ["replay: ", "recorded is not a folder"]),
    ("templates folder missing",
     _replace("reports_dir: reports", "reports_dir: reports\nreports: {templates_dir: tpl}"), None,
     ["reports.templates_dir", "is not a folder"]),
    ("unknown top-level key", _replace("database:", "databse:"), None, ["databse", "unknown key"]),
    ("account platform unknown", _replace("{platform: x, handle: JaneDoe,", "{platform: myspace, handle: JaneDoe,"),
     None, ["councillors[0].accounts[0].platform"]),
    ("account kind unknown", _replace("kind: personal}", "kind: private}"), None,
     ["councillors[0].accounts[0].kind"]),
    ("account handle empty", _replace("handle: JaneDoe,", "handle: '@',"), None,
     ["councillors[0].accounts[0].handle", "is empty"]),
    ("account unknown key", _replace("kind: personal}", "kind: personal, extra: 1}"), None,
     ["councillors[0].accounts[0].extra", "unknown key"]),
    ("account configured twice",
     _replace("{platform: facebook, handle: JaneDoePage", "{platform: x, handle: janedoe"), None,
     ["configured twice"]),
    ("mastodon without instance", _replace(", instance: https://mastodon.social}", "}"), None,
     ["councillors[1].accounts[0]", "instance"]),
    ("councillors not a list", _replace("councillors:\n  - name: Jane Doe", "councillors: Jane Doe\nx_:\n  - name: J"),
     None, ["councillors"]),
    ("official id a mapping", _replace('id: "1111"', "id: {a: 1}"), None, ["official_accounts[0].id"]),
    ("meeting start in words", _replace("start: 2026-11-16T19:00:00-07:00", "start: next tuesday"), None,
     ["meetings[0].start"]),
    ("meeting start without offset", _replace("start: 2026-11-16T19:00:00-07:00", "start: 2026-11-16T19:00:00"),
     None, ["meetings[0].start", "UTC offset"]),
    ("meeting on the 13th month", _replace("start: 2026-11-16T19:00:00-07:00", "start: 2026-13-16"), None,
     ["auditor.yaml: line 18: ", "'2026-13-16' is not a real date"]),
    ("meeting on 30 February", _replace("start: 2026-11-16T19:00:00-07:00", "start: 2026-02-30T19:00:00-07:00"),
     None, ["line 18", "not a real date"]),
    ("meeting at hour 25", _replace("start: 2026-11-16T19:00:00-07:00", "start: 2026-11-16T25:00:00-07:00"), None,
     ["line 18"]),
    ("meeting in year 9999", _replace("start: 2026-11-16T19:00:00-07:00", "start: 9999-12-31T23:00:00-07:00"),
     None, ["meetings[0].start", "out of range"]),
    ("minutes before the meeting",
     _replace("minutes_released: 2026-11-20T12:00:00-07:00", "minutes_released: 2026-11-01T12:00:00-07:00"),
     None, ["meetings[0]", "before the meeting"]),
    ("meeting unknown key", _replace("agenda: [ring road contract]", "agenda: [ring road contract]\n    room: 2"),
     None, ["meetings[0].room", "unknown key"]),
    ("calendar file missing", _replace(MEETINGS, CALENDAR), None, ["meetings.ics: ", "file not found"]),
    ("calendar is a folder", _replace(MEETINGS, CALENDAR.replace("meetings.ics", "replay")), None,
     ["meetings.ics: ", "is a folder"]),
    ("calendar not iCalendar", _replace(MEETINGS, CALENDAR), "file:meetings.ics:hello", ["meetings.ics: ",
                                                                                         "not an iCalendar file"]),
    ("calendar unknown key", _replace(MEETINGS, "meetings: {ics: meetings.ics, url: x}\nemergencies:"), None,
     ["meetings.url", "unknown key"]),
    ("emergency ends before it starts", _replace("end: 2026-06-04T00:00:00-06:00", "end: 2026-05-04T00:00:00-06:00"),
     None, ["emergencies[0]", "end is not after start"]),
    ("emergency on 31 June", _replace("start: 2026-06-01T06:00:00-06:00", "start: 2026-06-31T06:00:00-06:00"),
     None, ["line 22", "not a real date"]),
    ("sender not an address", _replace("from: auditor@example.org", "from: auditor at example.org"), None,
     ["email.from", "not an e-mail address"]),
    ("recipient without a domain", _replace("weekly_to: [communications@example.org]", "weekly_to: [comms@]"),
     None, ["email.weekly_to", "not an e-mail address"]),
    ("recipient with two @", _replace("alerts_to: [communications@example.org]", "alerts_to: [a@b@example.org]"),
     None, ["email.alerts_to", "not an e-mail address"]),
    ("recipient with a space", _replace("alerts_to: [communications@example.org]", "alerts_to: [jane doe@x.org]"),
     None, ["email.alerts_to"]),
    ("recipient domain with two dots", _replace("alerts_to: [communications@example.org]", "alerts_to: [a@x..org]"),
     None, ["email.alerts_to"]),
    ("alert severity unknown", _replace("alert_min_severity: high", "alert_min_severity: urgent"), None,
     ["email.alert_min_severity"]),
    ("smtp port 0", _replace("port: 587", "port: 0"), None, ["email.smtp.port", "greater than or equal to 1"]),
    ("smtp port 99999", _replace("port: 587", "port: 99999"), None, ["email.smtp.port", "less than or equal to 65535"]),
    ("smtp port in words", _replace("port: 587", "port: submission"), None, ["email.smtp.port"]),
    ("smtp without a host", _replace("host: smtp.example.org, ", ""), None, ["email.smtp.host", "missing"]),
    ("smtp unknown key", _replace("starttls: true", "tls: true"), None, ["email.smtp.tls", "unknown key"]),
    ("cron with four fields", _replace('pull: "*/30 * * * *"', 'pull: "*/30 * * *"'), None,
     ["schedule.pull", "5 fields"]),
    ("cron in words", _replace('pull: "*/30 * * * *"', 'pull: "every 30 minutes"'), None,
     ["schedule.pull", "not a cron expression"]),
    ("cron minute 61", _replace('weekly_report: "0 8 * * mon"', 'weekly_report: "61 8 * * mon"'), None,
     ["schedule.weekly_report", "not a cron expression"]),
    ("cron weekday unknown", _replace('weekly_report: "0 8 * * mon"', 'weekly_report: "0 8 * * funday"'), None,
     ["schedule.weekly_report"]),
    ("read cap negative", _replace("monthly_read_cap: 10000", "monthly_read_cap: -5"), None,
     ["platforms.x.monthly_read_cap"]),
    ("read cap zero", _replace("monthly_read_cap: 10000", "monthly_read_cap: 0"), None,
     ["platforms.x.monthly_read_cap"]),
    ("graph version banana", _replace("graph_version: v23.0", "graph_version: banana"), None,
     ["platforms.facebook.graph_version", "like v23.0"]),
    ("unknown platform section", _replace("  facebook: {token_env", "  myspace: {}\n  facebook: {token_env"), None,
     ["platforms.myspace", "unknown key"]),
    ("retention zero days", _replace("raw_bodies_days: 730", "raw_bodies_days: 0"), None,
     ["retention.raw_bodies_days"]),
    ("deletion window negative", _replace("window_days: 14", "window_days: -1"), None, ["deletions.window_days"]),
    ("deletion check every 0 hours", _replace("check_every_hours: 24", "check_every_hours: 0"), None,
     ["deletions.check_every_hours"]),
    ("web address not http", _replace("reports_dir: reports", "reports_dir: reports\nweb: {base_url: ftp://x}"),
     None, ["web.base_url"]),
    ("top-level key twice", _replace("reports_dir: reports", "reports_dir: reports\ndatabase: sqlite:///b.db"), None,
     ["auditor.yaml: line ", "'database' appears twice (first at line 2)"]),
    ("key twice inside a councillor", _replace("    role: Councillor", "    role: Councillor\n    name: J. Doe"), None,
     ["line ", "'name' appears twice"]),
    ("a list at the top", _replace(GOOD, "- council\n- database\n"), None, ["expected a mapping"]),
    ("an empty file", _replace(GOOD, ""), None, ["expected a mapping"]),
    ("broken YAML", _replace(GOOD, GOOD + "councillors: [\n"), None, ["auditor.yaml: line "]),
    ("tab indentation", _replace("    role: Councillor", "\trole: Councillor"), None, ["auditor.yaml: line "]),
    ("not UTF-8", None, "latin1", ["not UTF-8 text"]),
    ("the configuration is a folder", None, "config-folder", ["is a folder"]),
    ("the configuration is missing", None, "config-missing", ["file not found"]),
]


@pytest.mark.parametrize(("change", "extra", "words"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_configuration_is_one_line_naming_the_field_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str] | None, extra: str | None,
    words: list[str],
) -> None:
    path = setup(tmp_path)
    if change is not None:
        path.write_text(GOOD.replace(*change), encoding="utf-8")
    if extra == "empty-policy":
        (tmp_path / "policy.yaml").write_text("# nothing yet\n", encoding="utf-8")
    elif extra and extra.startswith("policy:"):
        (tmp_path / "policy.yaml").write_text(extra.removeprefix("policy:"), encoding="utf-8")
    elif extra and extra.startswith("file:"):
        _, name, content = extra.split(":", 2)
        (tmp_path / name).write_text(content, encoding="utf-8")
    elif extra == "latin1":
        path.write_bytes(GOOD.replace("Test Council", "Conseil de Lévis").encode("latin-1"))
    elif extra == "config-folder":
        path.unlink()
        path.mkdir()
    elif extra == "config-missing":
        path.unlink()
    for command in (("config", "check"), ("findings", "--format", "json")):  # and at every command's start
        code, out, err = check(path, capsys, *command)
        assert code == 2, (command, out, err)
        assert "Traceback" not in out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("auditor: configuration error: "), err
        for word in words:
            assert word in lines[0], lines[0]


def test_there_are_at_least_fifty_broken_configurations() -> None:
    assert len(BROKEN) >= 50
