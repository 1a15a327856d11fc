"""What every command shares: the App object, option decorators, date parsing, output helpers.

Kept light on purpose: nothing here imports the archive, the service, the reports or any
platform client, so `auditor --help` starts fast. Commands import those inside their bodies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from auditor.records import SEVERITIES
from auditor.visible import visible

if TYPE_CHECKING:
    from auditor.archive.store import Store
    from auditor.config.settings import Settings

DEFAULT_CONFIG = "config/auditor.yaml"
# Dates and moments given on the command line: the years an archive of social media can hold, with
# room on both sides; 9999-12-31 in a council's zone is past the last moment Python has in UTC.
FIRST_YEAR, LAST_YEAR = 1970, 2999

F = TypeVar("F", bound=Callable[..., object])


class App:
    """What every command needs: the settings (loaded on first use), the clock, the environment."""

    def __init__(self, config: Path, now: datetime | None, *, lock_wait: float = 30.0):
        self.config = config
        self._now = now
        self.lock_wait = lock_wait  # seconds to wait for another run's lock (`--wait`)
        self._settings: Settings | None = None
        self.env: dict[str, str] = dict(os.environ)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from auditor import secrets
            from auditor.config.settings import load_settings

            self._settings = load_settings(self.config, self._now)  # --now places a calendar's window
            secrets.install(self._settings, self.env)  # every secret the settings name, from now on
        return self._settings

    @property
    def now_given(self) -> bool:
        """Whether --now fixed the clock."""
        return self._now is not None

    def now(self) -> datetime:
        return self._now or datetime.now(UTC)

    def store(self) -> Store:
        from auditor.service.cycle import open_store

        return open_store(self.settings)

    def locked(self, store: Store, what: str) -> AbstractContextManager[int]:
        """The archive's run lock for `what` (waits `--wait` seconds, then RunInProgress: exit 3)."""
        from auditor.archive.lock import run_lock

        return run_lock(store, what, datetime.now(UTC), wait=self.lock_wait)


def parse_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    """--now: an ISO 8601 moment with a UTC offset, kept in UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601 with an offset, e.g. 2026-11-23T09:00:00-07:00") from None
    if moment.tzinfo is None:
        raise click.BadParameter("needs a UTC offset, e.g. 2026-11-23T09:00:00-07:00")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise click.BadParameter(f"{value} is out of range: a moment between {FIRST_YEAR} and {LAST_YEAR}")
    return moment.astimezone(UTC)


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """A calendar day like 2026-11-16."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-16") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise click.BadParameter(f"{value} is out of range: a day between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def check_period(first: date | None, last: date | None) -> None:
    """--from after --to is a usage error, said before anything is read."""
    if first is not None and last is not None and first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from/--to")


def check_councillor(settings: Settings, name: str | None) -> str | None:
    """The configured councillor's name as written, or a usage error listing the known ones."""
    if name is None:
        return None
    for councillor in settings.councillors:
        if councillor.name.casefold() == name.strip().casefold():
            return councillor.name
    known = ", ".join(repr(c.name) for c in settings.councillors) or "none"
    raise click.BadParameter(f"no councillor named {name!r} in {settings.path} (known: {known})",
                             param_hint="--councillor")


def check_account(settings: Settings, handle: str | None) -> str | None:
    """A configured account's handle as written (without @), or a usage error listing the known ones."""
    if handle is None:
        return None
    bare = handle.strip().lstrip("@").casefold()
    accounts = [account for account, _ in settings.accounts()]
    for account in accounts:
        if account.handle.casefold() == bare:
            return account.handle
    known = ", ".join(sorted({a.handle for a in accounts}, key=str.casefold)) or "none"
    raise click.BadParameter(f"no account {handle!r} in {settings.path} (known: {known})", param_hint="--account")


def period_options(
    *,
    required: bool = False,
    first_help: str = "First day (council time).",
    last_help: str = "Last day, inclusive.",
) -> Callable[[F], F]:
    """--from DATE and --to DATE, passed to the command as `first` and `last` (dates or None)."""

    def decorate(command: F) -> F:
        command = click.option(
            "--to", "last", callback=parse_date, metavar="DATE", required=required, help=last_help
        )(command)
        return click.option(
            "--from", "first", callback=parse_date, metavar="DATE", required=required, help=first_help
        )(command)

    return decorate


def out_dir_option(help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """--out DIR: a folder to write into (need not exist yet)."""
    return click.option(
        "--out", type=click.Path(path_type=Path, file_okay=False), required=required, help=help_text
    )


def say(message: str) -> None:
    """One line (or several) for the terminal: control characters in it are shown, not obeyed."""
    click.echo(visible(message))


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """Rows (the first one the header) in columns two spaces apart; the last column is not padded."""
    if not rows:
        return
    columns = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    for row in rows:
        say("  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:columns])), row[columns]]))


def severity_counts(counts: Mapping[str, int], *, all_severities: bool = False) -> str:
    """`2 high, 1 low`, worst first; only the severities that occur unless `all_severities`."""
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in reversed(SEVERITIES) if all_severities or counts.get(s, 0))
