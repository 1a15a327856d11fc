"""The configured accounts: `accounts check`."""

from __future__ import annotations

import sys

import click

from auditor.cli.common import App, print_table, say


@click.group()
def accounts() -> None:
    """The configured accounts."""


@accounts.command("check")
@click.pass_obj
def accounts_check(app: App) -> None:
    """Verify access to every account, resolve ids, and print a table; exit 1 if any has a problem."""
    from auditor.service.cycle import check_accounts

    results = check_accounts(app.settings, app.store(), app.env)
    print_table(
        [("PLATFORM", "HANDLE", "OWNER", "ID", "STATUS")]
        + [
            (r.platform, r.handle, r.owner, r.platform_id or "-", "OK" if r.problem is None else "PROBLEM")
            for r in results
        ]
    )
    problems = [r for r in results if r.problem]
    for r in problems:
        say(f"\n{r.platform} @{r.handle}: {r.problem}")
    if problems:
        sys.exit(1)


COMMANDS: tuple[click.Command, ...] = (accounts,)
