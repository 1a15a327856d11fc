"""The configuration itself: `config check`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from auditor.cli.common import App, say

if TYPE_CHECKING:
    from auditor.config.settings import Settings


@click.group("config")
def config_group() -> None:
    """The configuration file: check it before the first run."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def missing_secrets(settings: Settings, env: Mapping[str, str]) -> list[str]:
    """The environment variables the configured accounts and mail need but that are not set."""
    if settings.replay_dir is not None:
        return []  # recorded bodies: no platform is asked anything
    needed: dict[str, str] = {}
    access = settings.platforms
    for account, _ in settings.accounts():
        if account.platform == "x":
            needed.setdefault(access.x.bearer_token_env, "to read X accounts")
        elif account.platform == "facebook":
            needed.setdefault(account.token_env or access.facebook.token_env, f"to read Facebook @{account.handle}")
        elif account.platform == "youtube":
            needed.setdefault(access.youtube.api_key_env, "to read YouTube channels")
    smtp = settings.email.smtp
    if smtp is not None:
        for name in (smtp.username_env, smtp.password_env):
            if name:
                needed.setdefault(name, f"to sign in to {smtp.host}")
    return [f"{name} is not set ({why})" for name, why in needed.items() if not env.get(name)]


@config_group.command("check")
@click.pass_obj
def config_check(app: App) -> None:
    """Validate the configuration, its policy file and its meeting calendar, and say what they hold.

    Every command runs the same checks first; this one only reports. Exits 0 when the
    configuration is usable, 2 with one line naming the file and field otherwise. Environment
    variables the accounts need but that are not set are listed (they are checked for real by
    `auditor accounts check`).
    """
    settings = app.settings  # loading is the check: a problem raises ConfigError, exit 2
    accounts = settings.accounts()
    official = sum(1 for _, councillor in accounts if councillor is None)
    rules_on = sum(1 for params in settings.policy.params.values() if params.enabled)
    source = "from the calendar" if not isinstance(settings.file.meetings, list) else "listed"
    dialect = settings.database_url.partition("://")[0]
    say(
        f"configuration OK: {_plural(len(settings.councillors), 'councillor')}, "
        f"{_plural(len(accounts), 'account')} ({official} of the City), "
        f"{_plural(len(settings.meetings), 'meeting')} ({source}), {_plural(len(settings.emergencies), 'emergency')}"
        .replace("emergencys", "emergencies")
        + f"; policy {settings.policy.path} ({rules_on} of {len(settings.policy.params)} rules on); "
        f"archive {dialect}; " + (f"replay {settings.replay_dir}" if settings.replay_dir else "live platforms")
    )
    say(f"  schedule: pull \"{settings.schedule.pull}\", weekly report \"{settings.schedule.weekly_report}\" "
        f"({settings.council.timezone})")
    mail = settings.email
    say(f"  mail: from {mail.from_}, weekly to {', '.join(mail.weekly_to) or 'nobody'}, alerts to "
        f"{', '.join(mail.alerts_to) or 'nobody'}, "
        + (f"via {mail.smtp.host}:{mail.smtp.port}" if mail.smtp else f"written to {settings.outbox_dir}"))
    for problem in missing_secrets(settings, app.env):
        say(f"  note: {problem}")


COMMANDS: tuple[click.Command, ...] = (config_group,)
