"""Issue 10, item 6 and the emergency aliases: an account under `official_accounts` is the City's
whatever its entry says (DESIGN.md lists them without `kind`), and an emergency's `aliases`
reach the rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from auditor.config.policy import load_policy
from auditor.config.settings import load_settings
from auditor.engine.context import AccountInfo, AuditContext, EmergencyInfo
from auditor.engine.evaluate import enabled_rules, evaluate
from auditor.records import PostView

HERE = Path(__file__).parent
POLICY = load_policy(HERE.parent / "config" / "policy.yaml")
TZ = ZoneInfo("America/Edmonton")

CONFIG = """
council: {name: Test Council, timezone: America/Edmonton}
policy: POLICY
official_accounts:
  - {platform: x, handle: CityofLeduc, id: "1111"}
  - {platform: facebook, handle: CityofLeducPage, kind: official-city}
councillors:
  - name: Jane Doe
    accounts:
      - {platform: x, handle: JaneDoeLeduc, id: "2222", kind: personal}
      - {platform: facebook, handle: JaneDoePage}
emergencies:
  - {start: 2026-06-01T06:00:00-06:00, end: 2026-06-04T00:00:00-06:00, topics: [Highway 2 closure],
     aliases: [QEII]}
  - {start: 2026-07-01T06:00:00-06:00, end: 2026-07-04T00:00:00-06:00, topics: [flood]}
"""


def _settings(tmp_path: Path, policy_file: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "auditor.yaml"
    path.write_text(CONFIG.replace("POLICY", str(policy_file)), encoding="utf-8")
    return load_settings(path)


def test_an_official_account_without_kind_is_the_citys(tmp_path: Path, policy_file: Path) -> None:
    settings = _settings(tmp_path, policy_file)
    kinds = {(a.platform, a.handle): a.kind for a, _ in settings.accounts()}
    assert kinds == {("x", "CityofLeduc"): "official-city", ("facebook", "CityofLeducPage"): "official-city",
                     ("x", "JaneDoeLeduc"): "personal", ("facebook", "JaneDoePage"): "personal"}


def test_emergency_aliases_are_optional(tmp_path: Path, policy_file: Path) -> None:
    emergencies = _settings(tmp_path, policy_file).emergencies
    assert emergencies[0].aliases == ["QEII"] and emergencies[1].aliases == []
    assert EmergencyInfo(emergencies[1].start, emergencies[1].end, ("flood",)).aliases == ()


def _post(pid: str, by: str, text: str, at: str, councillor: str | None = "Jane Doe", kind: str = "post",
          parent: str | None = None) -> PostView:
    return PostView(platform="x", platform_id=pid, feed_account=by, author_id=by, author_handle=by,
                    author_account=by, councillor=councillor, kind=kind, text=text,  # type: ignore[arg-type]
                    created_at=datetime.fromisoformat(at).replace(tzinfo=TZ), url=None, parent_id=parent,
                    conversation_id=None)


def _findings(posts: list[PostView], aliases: tuple[str, ...]) -> dict[str, str]:
    accounts = [AccountInfo("x", "jane", "personal", "Jane Doe"), AccountInfo("x", "city", "official-city", None)]
    emergency = EmergencyInfo(datetime(2026, 6, 1, 6, tzinfo=TZ), datetime(2026, 6, 4, tzinfo=TZ),
                              ("Highway 2 closure",), aliases)
    ctx = AuditContext(now=datetime(2026, 6, 10, tzinfo=TZ), tz=TZ, posts=posts, accounts=accounts,
                       emergencies=[emergency])
    return {f.subject: f.severity for f in evaluate(ctx, enabled_rules(POLICY, only=["emergency-protocol"]))}


def test_an_alias_names_the_emergency_and_a_city_repost_stays_silent() -> None:
    posts = [_post("1", "jane", "The QEII is backed up to Nisku until 6 pm, I'm told.", "2026-06-02T09:00"),
             _post("2", "jane", "Hwy 2 southbound reopened just now per my husband.", "2026-06-02T10:00"),
             _post("c", "city", "Highway 2 is closed southbound.", "2026-06-02T08:00", councillor=None),
             _post("3", "jane", "RT @city: Highway 2 is closed southbound.", "2026-06-02T08:30", kind="repost",
                   parent="c")]
    assert _findings(posts, ()) == {"2": "medium"}  # "Hwy 2" is the topic's "Highway 2", abbreviated
    assert _findings(posts, ("QEII",)) == {"1": "medium", "2": "medium"}
