"""The web app's local accounts: `users add`, `users token`, `users list`."""

from __future__ import annotations

import sys

import click

from auditor.cli.common import App, say
from auditor.records import ROLES


@click.group()
def users() -> None:
    """Accounts of the web app (`auditor web`): add users, list them, make API tokens."""


def _read_password(name: str) -> str:
    if not sys.stdin.isatty():
        # Scripts pipe it: the first line of standard input, without its line ending.
        return sys.stdin.readline().rstrip("\r\n")
    first = click.prompt(f"Password for {name}", hide_input=True)
    again = click.prompt("The same password again", hide_input=True)
    if first != again:
        raise click.UsageError("the two passwords differ")
    return str(first)


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="viewer reads; reviewer decides; clerk searches and exports; admin manages users.")
@click.pass_obj
def add(app: App, name: str, role: str) -> None:
    """Create a local account; the password is read from standard input (or asked twice)."""
    password = _read_password(name)
    if len(password) < 12:
        raise click.UsageError("choose a password of at least 12 characters")
    store = app.store()
    try:
        user = store.add_user(name, role, password, app.now())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    store.log_event("", "add-user", user.name, f"{role}, from the command line", app.now())
    say(f"User {user.name} ({user.role}) added. Sign in at /login once `auditor web` is running.")


@users.command("token")
@click.argument("name")
@click.pass_obj
def token(app: App, name: str) -> None:
    """Make a new API token for NAME, printed once on the last line (only its hash is kept)."""
    store = app.store()
    try:
        value = store.new_token(name, app.now())
    except KeyError:
        raise click.BadParameter(f"there is no user {name!r} (see `auditor users list`)", param_hint="NAME") from None
    store.log_event("", "new-token", name, "from the command line", app.now())
    say(f"A new API token for {name}; send it as `Authorization: Bearer TOKEN`. It is not shown again:")
    click.echo(value)


@users.command("list")
@click.pass_obj
def list_users(app: App) -> None:
    """List the web app's users and their roles."""
    found = app.store().users()
    if not found:
        say("No users yet: `auditor users add NAME --role admin` creates the first.")
    tz = app.settings.council.tz
    for user in found:
        flag = "  (disabled)" if user.disabled else ""
        say(f"{user.name:<24} {user.role:<9} since {user.created_at.astimezone(tz):%Y-%m-%d}{flag}")


COMMANDS: tuple[click.Command, ...] = (users,)
