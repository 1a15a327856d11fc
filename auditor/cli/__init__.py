"""The `auditor` command line: thin commands over the pipeline and reporting functions.

Exit codes: 0 success; 1 a run finished but some accounts failed; 2 bad configuration or usage;
3 another run holds the archive and `--wait` seconds passed.

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

from auditor import secrets
from auditor.cli import accounts, archive, demo, evidence, findings, report, run, service, users, web
from auditor.cli import config as config_commands
from auditor.cli.common import DEFAULT_CONFIG, App, parse_now
from auditor.visible import visible


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
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="How long run, audit, prune and demo wait for another run on the archive to finish (then exit 3).",
)
@click.version_option(package_name="council-feed-auditor")
@click.pass_context
def cli(ctx: click.Context, config: Path, now: datetime | None, verbose: int, wait: float) -> None:
    """Audit council members' public social media against the council's social media policy.

    Start with `auditor run` (pull and audit), then `auditor report weekly`. `auditor demo`
    does both on the bundled sample council.
    """
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    app = App(config, now, lock_wait=wait)
    secrets.install(None, app.env)  # the default variables' secrets; again with the settings' once loaded
    ctx.obj = app


for _module in (run, report, findings, archive, evidence, service, accounts, config_commands, users, web, demo):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fault(exc: Exception) -> str | None:
    """A fault of the machine, not of the auditor, in one line naming what to fix; None otherwise."""
    if type(exc).__name__ == "OperationalError":  # SQLAlchemy's, whichever database: unreachable, read-only, full
        cause = _one_line(str(getattr(exc, "orig", None) or exc).split("\n")[0])[:200]
        return (f"the archive database cannot be used ({cause}); check `database:` in the configuration, that "
                "the server is running, and that the file and its folder are writable with free space")
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return (f"cannot use{where}: {exc.strerror}; check that the folder exists, is writable, and the disk "
                "has free space (nothing half-written was kept)")
    return None


def main(argv: list[str] | None = None) -> None:
    """The console script: every problem is one line on stderr, never a traceback.

    A configuration problem or a usage error exits 2 (systemd does not restart on it), anything
    unexpected exits 1 with its type and message; `-vv` logs its traceback too.
    """
    try:
        code = cli.main(args=argv, prog_name="auditor", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()  # `auditor config` alone: its help, as click would
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("auditor: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "auditor"  # type: ignore[attr-defined]
        click.echo(f"{where}: error: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Only loading the settings raises ConfigError, so the module is already imported here.
        from auditor.config.errors import ConfigError

        if isinstance(exc, ConfigError):
            click.echo(f"auditor: configuration error: {_one_line(str(exc))}", err=True)
            sys.exit(2)
        if type(exc).__name__ == "RunInProgress":  # auditor.archive.lock: another run holds the archive
            click.echo(f"auditor: {_one_line(str(exc))}", err=True)
            sys.exit(3)
        if fault := _fault(exc):
            logging.getLogger("auditor").debug("the traceback of the fault", exc_info=True)
            click.echo(f"auditor: {visible(fault)}", err=True)
            sys.exit(1)
        logging.getLogger("auditor").debug("the traceback of the unexpected error", exc_info=True)
        click.echo(
            f"auditor: unexpected error: {type(exc).__name__}: {_one_line(str(exc))[:300]} "
            "(please report it; -vv shows where it happened)",
            err=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["App", "cli", "main"]
