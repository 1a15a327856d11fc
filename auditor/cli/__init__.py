"""The `auditor` command line: thin commands over the pipeline and reporting functions.

Exit codes: 0 success; 1 a run finished but some accounts failed; 2 bad configuration or usage.

This module holds only the group, its global options and `main`; each command group lives in
its own module. The archive, the service, the reports and the platform clients are imported
by the commands that use them, so `auditor --help` loads none of them.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from auditor.cli import accounts, archive, demo, findings, report, run, service
from auditor.cli.common import DEFAULT_CONFIG, App, parse_now


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The configuration file (YAML). Paths inside it are relative to it.",
)
@click.option(
    "--now",
    callback=parse_now,
    metavar="TIMESTAMP",
    help="Audit as of this moment (ISO 8601 with offset) instead of the current time.",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.version_option(package_name="council-feed-auditor")
@click.pass_context
def cli(ctx: click.Context, config: Path, now: datetime | None, verbose: int) -> None:
    """Audit council members' public social media against the council's social media policy.

    Start with `auditor run` (pull and audit), then `auditor report weekly`. `auditor demo`
    does both on the bundled sample council.
    """
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = App(config, now)


for _module in (run, report, findings, archive, service, accounts, demo):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """The console script: a configuration problem is one line on stderr and exit code 2."""
    try:
        cli.main(args=argv, prog_name="auditor", standalone_mode=True)
    except Exception as exc:
        # Only loading the settings raises ConfigError, so the module is already imported here.
        from auditor.config.settings import ConfigError

        if not isinstance(exc, ConfigError):
            raise
        click.echo(f"auditor: configuration error: {exc}", err=True)
        sys.exit(2)


__all__ = ["App", "cli", "main"]
