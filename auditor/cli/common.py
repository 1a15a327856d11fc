"""What every command shares: the App object, option decorators, date parsing, output helpers.

Kept light on purpose: nothing here imports the archive, the service, the reports or any
platform client, so `auditor --help` starts fast. Commands import those inside their bodies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from auditor.records import SEVERITIES

if TYPE_CHECKING:
    from auditor.archive.store import Store
    from auditor.config.settings import Settings

DEFAULT_CONFIG = "config/auditor.yaml"

F = TypeVar("F", bound=Callable[..., object])


class App:
    """What every command needs: the settings (loaded on first use), the clock, the environment."""

    def __init__(self, config: Path, now: datetime | None):
        self.config = config
        self._now = now
        self._settings: Settings | None = None
        self.env: dict[str, str] = dict(os.environ)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from auditor.config.settings import load_settings

            self._settings = load_settings(self.config)
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
    return moment.astimezone(UTC)


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """A calendar day like 2026-11-16."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-16") from None


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
    click.echo(message)


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
