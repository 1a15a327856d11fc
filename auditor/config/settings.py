"""The configuration file, validated once into one typed `Settings` object.

This and `policy` are the only modules that read YAML (through `errors.read_yaml`). Every
problem becomes a `ConfigError` naming the file, the field and what is wrong, so the CLI can
print one line and exit 2.

Longer than our usual module on purpose: it is the schema of the one YAML file, section by
section in the file's own order, so that a reader sees every key and its default in one place
(as DESIGN.md's configuration contract does). The single-value checks live in `checks`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from auditor.config.checks import check_address, check_cron, check_database_url, check_graph_version
from auditor.config.errors import ConfigError, first_error, read_yaml
from auditor.config.policy import Policy, load_policy
from auditor.platforms import NAMES, PlatformName

__all__ = [  # ConfigError is re-exported: many modules import it from here
    "AccountConfig", "ConfigError", "Council", "Councillor", "Deletions", "Email", "Emergency",
    "FacebookAccess", "FileSettings", "Meeting", "MeetingCalendar", "OpenAccess", "PLATFORMS", "Platform",
    "Platforms", "Retention", "Schedule", "Settings", "Smtp", "Web", "XAccess", "YoutubeAccess", "load_settings",
]

PLATFORMS = NAMES  # re-exported for the code that reads them from here
Platform = PlatformName


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _preferred_default() -> list[Platform]:
    return ["facebook", "x", "youtube"]


class Council(Strict):
    name: str
    timezone: str = "UTC"
    preferred_platforms: list[Platform] = Field(default_factory=_preferred_default)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/Edmonton)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class AccountConfig(Strict):
    platform: Platform
    handle: str = Field(min_length=1)
    id: str | None = None
    kind: Literal["personal", "representative", "official-city"] = "personal"
    instance: str | None = None  # Mastodon: the account's server, e.g. https://mastodon.social
    token_env: str | None = None  # Facebook: a page token of its own

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # Platform ids are text: a YAML integer would lose digits past 2**53 in JSON and CSV.
        return str(value) if isinstance(value, int) else value

    @field_validator("handle")
    @classmethod
    def _bare_handle(cls, value: str) -> str:
        bare = value.strip().lstrip("@")
        if not bare:
            raise ValueError("is empty")
        return bare  # "@JaneDoe" and "JaneDoe" are one account

    @model_validator(mode="after")
    def _mastodon_needs_instance(self) -> AccountConfig:
        if self.platform == "mastodon" and not self.instance:
            raise ValueError("a mastodon account needs `instance:`, its server, e.g. https://mastodon.social")
        return self


class Councillor(Strict):
    name: str = Field(min_length=1)
    role: str = "Councillor"
    accounts: list[AccountConfig] = Field(default_factory=list)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-11-09T19:00:00-07:00")
    if not 1970 <= value.year <= 2999:  # 9999-12-31T23:00-07:00 is past the last moment Python has in UTC
        raise ValueError(f"{value.isoformat()} is out of range: a year between 1970 and 2999")
    return value


class Meeting(Strict):
    start: datetime
    minutes_released: datetime | None = None
    title: str = "Council meeting"
    agenda: list[str] = Field(default_factory=list)
    in_camera_topics: list[str] = Field(default_factory=list)

    _start_aware = field_validator("start")(_aware)

    @field_validator("minutes_released")
    @classmethod
    def _released_aware(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _aware(value)

    @model_validator(mode="after")
    def _released_after_start(self) -> Meeting:
        if self.minutes_released and self.minutes_released < self.start:
            raise ValueError("minutes_released is before the meeting's start")
        return self


class MeetingCalendar(Strict):
    """`meetings: {ics: file.ics}`: the meetings come from an iCalendar file (see auditor/calendar.py)."""

    ics: str


class Emergency(Strict):
    start: datetime
    end: datetime
    topics: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)  # other names for the topics: "QEII" for "Highway 2"

    _aware_start = field_validator("start")(_aware)
    _aware_end = field_validator("end")(_aware)

    @model_validator(mode="after")
    def _ordered(self) -> Emergency:
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class Smtp(Strict):
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465)
    username_env: str | None = "SMTP_USER"
    password_env: str | None = "SMTP_PASSWORD"
    timeout: float = Field(30.0, gt=0)


class Email(Strict):
    from_: str = Field("auditor@localhost", alias="from")
    weekly_to: list[str] = Field(default_factory=list)
    alerts_to: list[str] = Field(default_factory=list)
    smtp: Smtp | None = None
    outbox: str = "var/outbox"
    alert_min_severity: Literal["info", "low", "medium", "high"] = "high"
    alert_next_steps: str = (
        "Review the post, then record a decision with `auditor findings`. "
        "Contact the councillor if the post should be edited or removed."
    )
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("from_")
    @classmethod
    def _sender(cls, value: str) -> str:
        return check_address(value)

    @field_validator("weekly_to", "alerts_to")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        return [check_address(address) for address in value]


class Evidence(Strict):
    """Signed checkpoints of the capture chain, kept outside the database (docs/evidence.md)."""

    checkpoints: str | None = None  # e.g. ../var/checkpoints.jsonl: each run appends its signed chain head
    signing_key_file: str | None = None  # the Ed25519 key `auditor evidence keygen` writes; not in the database


class Retention(Strict):
    """How long to keep what is not a councillor's own words; None keeps it for good."""

    raw_bodies_days: int | None = Field(None, ge=1)  # bodies are dropped, their hashes kept
    others_comments_days: int | None = Field(None, ge=1)  # replies and comments by non-councillors
    councillor_posts_days: int | None = Field(None, ge=1)  # only if the operator asks: FOIP may need them


class Deletions(Strict):
    """How the pull looks for deleted posts: each check re-reads recent posts, which X bills."""

    window_days: int = Field(14, ge=1)  # how far back posts are checked
    check_every_hours: float = Field(24, gt=0)  # how often, per account


class Schedule(Strict):
    pull: str = "*/30 * * * *"
    weekly_report: str = "0 8 * * mon"

    @field_validator("pull", "weekly_report")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)  # as the scheduler will read it: a typo fails now, not at `schedule`


class XAccess(Strict):
    bearer_token_env: str = "X_BEARER_TOKEN"
    monthly_read_cap: int | None = Field(None, ge=1)


class FacebookAccess(Strict):
    token_env: str = "FACEBOOK_TOKEN"
    graph_version: str = "v23.0"

    @field_validator("graph_version")
    @classmethod
    def _version(cls, value: str) -> str:
        return check_graph_version(value)


class YoutubeAccess(Strict):
    api_key_env: str = "YOUTUBE_API_KEY"


class OpenAccess(Strict):
    pass


class Platforms(Strict):
    x: XAccess = XAccess()
    facebook: FacebookAccess = FacebookAccess()
    youtube: YoutubeAccess = YoutubeAccess()
    bluesky: OpenAccess = OpenAccess()
    mastodon: OpenAccess = OpenAccess()


class Web(Strict):
    """The web app (`auditor web`): where it is reached, and how its sessions are kept."""

    base_url: str | None = None  # e.g. https://auditor.example.org: emails link findings there
    secret_key_env: str = "AUDITOR_WEB_SECRET"  # signs session cookies; unset: a new key per start
    secure_cookies: bool | None = None  # None: secure when base_url is https
    session_hours: float = Field(12, gt=0)  # a session ends this long after sign-in

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("needs to start with https:// (or http://)")
        return value.rstrip("/")

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return bool(self.base_url and self.base_url.startswith("https://"))


class Reports(Strict):
    """How reports look: a folder of templates that replace the packaged ones by name."""

    templates_dir: str | None = None  # e.g. templates/ beside this file, holding weekly.html


class FileSettings(Strict):
    """The YAML file's shape, exactly."""

    council: Council
    database: str = "sqlite:///var/auditor.db"
    policy: str = "policy.yaml"
    replay: str | None = None
    reports_dir: str = "var/reports"
    reports: Reports = Reports()
    web: Web = Web()
    official_accounts: list[AccountConfig] = Field(default_factory=list)
    councillors: list[Councillor] = Field(default_factory=list)
    meetings: Annotated[
        Annotated[list[Meeting], Tag("list[meetings]")] | Annotated[MeetingCalendar, Tag("calendar[ics]")],
        Discriminator(lambda v: "calendar[ics]" if isinstance(v, dict) else "list[meetings]"),
    ] = Field(default_factory=list)
    emergencies: list[Emergency] = Field(default_factory=list)
    email: Email = Email()
    schedule: Schedule = Schedule()
    retention: Retention = Retention()
    evidence: Evidence = Evidence()
    deletions: Deletions = Deletions()
    platforms: Platforms = Platforms()

    @field_validator("database")
    @classmethod
    def _dialect(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("official_accounts")
    @classmethod
    def _official_kind(cls, value: list[AccountConfig]) -> list[AccountConfig]:
        # Being listed here is what makes an account the City's own: `kind` need not say so.
        return [a if a.kind == "official-city" else a.model_copy(update={"kind": "official-city"}) for a in value]

    @model_validator(mode="after")
    def _accounts_unique(self) -> FileSettings:
        seen: set[tuple[str, str]] = set()
        for account in self.official_accounts + [a for c in self.councillors for a in c.accounts]:
            key = (account.platform, account.handle.lower())
            if key in seen:
                raise ValueError(f"account {account.platform}/{account.handle} is configured twice")
            seen.add(key)
        return self


class Settings:
    """Validated settings with paths resolved against the file they came from."""

    def __init__(self, file: FileSettings, path: Path, policy: Policy, meetings: list[Meeting] | None = None):
        self.file = file
        self.path = path
        self.base = path.resolve().parent
        self.policy = policy
        if self.templates_dir is not None and not self.templates_dir.is_dir():
            raise ConfigError(path, "reports.templates_dir", f"{self.templates_dir} is not a folder")
        # A calendar file is read once, here; everything else sees the same list of meetings.
        self.meetings: list[Meeting] = meetings if meetings is not None else (
            file.meetings if isinstance(file.meetings, list) else [])

    # The file's sections, read through (`meetings`, `policy` and the paths are resolved above
    # and below). Explicit, so that every setting has its type.

    @property
    def council(self) -> Council:
        return self.file.council

    @property
    def database(self) -> str:
        return self.file.database  # as written; `database_url` is the one to connect to

    @property
    def replay(self) -> str | None:
        return self.file.replay  # as written; `replay_dir` is resolved

    @property
    def official_accounts(self) -> list[AccountConfig]:
        return self.file.official_accounts

    @property
    def councillors(self) -> list[Councillor]:
        return self.file.councillors

    @property
    def emergencies(self) -> list[Emergency]:
        return self.file.emergencies

    @property
    def email(self) -> Email:
        return self.file.email

    @property
    def schedule(self) -> Schedule:
        return self.file.schedule

    @property
    def retention(self) -> Retention:
        return self.file.retention

    @property
    def deletions(self) -> Deletions:
        return self.file.deletions

    @property
    def platforms(self) -> Platforms:
        return self.file.platforms

    @property
    def web(self) -> Web:
        return self.file.web

    def resolve(self, relative: str) -> Path:
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else (self.base / candidate).resolve()

    @property
    def database_url(self) -> str:
        url = self.file.database
        prefix = "sqlite:///"
        if url.startswith(prefix) and url != "sqlite:///:memory:":
            return prefix + str(self.resolve(url[len(prefix):]))
        if url.startswith("postgresql://"):  # SQLAlchemy would pick psycopg2, which is not installed
            return "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url

    @property
    def replay_dir(self) -> Path | None:
        return self.resolve(self.file.replay) if self.file.replay else None

    @property
    def reports_dir(self) -> Path:
        return self.resolve(self.file.reports_dir)

    @property
    def templates_dir(self) -> Path | None:
        """The operator's template folder, searched before the packaged templates."""
        folder = self.file.reports.templates_dir
        return None if folder is None else self.resolve(folder)

    @property
    def outbox_dir(self) -> Path:
        return self.resolve(self.file.email.outbox)

    @property
    def checkpoints_file(self) -> Path | None:
        """Where each run appends its signed chain head; None: no checkpoints."""
        path = self.file.evidence.checkpoints
        return self.resolve(path) if path else None

    @property
    def signing_key_file(self) -> Path | None:
        path = self.file.evidence.signing_key_file
        return self.resolve(path) if path else None

    def with_replay(self, directory: Path | None) -> Settings:
        if directory is None:
            return self
        file = self.file.model_copy(update={"replay": str(directory.resolve())})
        return Settings(file, self.path, self.policy, self.meetings)

    def accounts(self) -> list[tuple[AccountConfig, Councillor | None]]:
        """Every configured account with its councillor (None for the City's own)."""
        pairs: list[tuple[AccountConfig, Councillor | None]] = [(a, None) for a in self.official_accounts]
        for councillor in self.councillors:
            pairs += [(a, councillor) for a in councillor.accounts]
        return pairs


def load_settings(path: Path | str, now: datetime | None = None) -> Settings:
    """Read, validate and resolve the configuration file and the policy file it names.

    `now` places the window of meetings read from a calendar file (default: the clock).
    """
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, None, "expected a mapping of settings at the top level")
    try:
        file = FileSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, *first_error(exc)) from None
    policy_path = Path(file.policy) if Path(file.policy).is_absolute() else path.parent / file.policy
    if not policy_path.is_file():
        problem = "is a folder, not a file" if policy_path.is_dir() else "not found"
        raise ConfigError(path, "policy", f"{policy_path} {problem} (start from config/policy.yaml)")
    policy = load_policy(policy_path)
    settings = Settings(file, path, policy, _meetings(file, path, now))
    if settings.replay_dir is not None and not settings.replay_dir.is_dir():
        # Said once here, rather than once per account when the run reads it.
        raise ConfigError(path, "replay", f"{settings.replay_dir} is not a folder (null reads the platforms' APIs)")
    return settings


def _meetings(file: FileSettings, path: Path, now: datetime | None = None) -> list[Meeting]:
    if isinstance(file.meetings, list):
        return file.meetings
    from auditor.config.calendar import CalendarError, read_meetings

    ics = Path(file.meetings.ics).expanduser()
    ics = ics if ics.is_absolute() else path.resolve().parent / ics
    try:
        found = read_meetings(ics, file.council.tz, now)
    except CalendarError as exc:
        raise ConfigError(path, "meetings.ics", f"{ics}: {exc}") from None
    meetings = []
    for meeting in found:
        try:
            meetings.append(Meeting.model_validate(meeting))
        except ValidationError as exc:
            field, problem = first_error(exc)
            where = f"event {meeting['title']!r} (DTSTART {meeting['start'].isoformat()})"
            detail = f"{field}: {problem}" if field else problem
            raise ConfigError(path, "meetings.ics", f"{ics}: {where}: {detail}") from None
    return meetings
