"""No secret in any log line: a filter on the root logger's handlers that removes every configured
secret, in every form, from every record, whichever library logged it.

The secrets are the values of the environment variables the settings name (the X bearer token, the
Facebook token and each account's own `token_env`, the YouTube key, the SMTP user and password, the
web app's secret key), plus the default names before the settings are loaded. Each is removed as
is, percent-encoded and base64-encoded (`auditor.redact`), from the message, its arguments,
the traceback and the stack of every record that reaches a handler: urllib3 printing a request
line with `access_token=…%7C…`, googleapiclient its URL with `key=…`, tweepy or httpx their
headers, at any verbosity.

A filter on a handler sees every record that handler emits, propagated from library loggers too
(a filter on a logger would only see that logger's own records). `install` puts one on each of
the root logger's handlers, replacing the one it put there before (a second `install` with more
secrets, once the settings are loaded, does not stack filters).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from auditor.redact import Redactor

if TYPE_CHECKING:
    from auditor.config.settings import Settings

# The variables the defaults name: filtered from the first log line, before the settings load.
DEFAULT_SECRET_ENVS = ("X_BEARER_TOKEN", "FACEBOOK_TOKEN", "YOUTUBE_API_KEY", "SMTP_USER", "SMTP_PASSWORD",
                       "AUDITOR_WEB_SECRET")


def secret_envs(settings: Settings | None) -> list[str]:
    """The names of every environment variable holding a secret under these settings."""
    names = list(DEFAULT_SECRET_ENVS)
    if settings is None:
        return names
    platforms = settings.platforms
    names += [platforms.x.bearer_token_env, platforms.facebook.token_env, platforms.youtube.api_key_env]
    names += [a.token_env for a, _ in settings.accounts() if a.token_env]
    smtp = settings.email.smtp
    if smtp is not None:
        names += [n for n in (smtp.username_env, smtp.password_env) if n]
    web = getattr(settings, "web", None)
    if web is not None and getattr(web, "secret_key_env", None):
        names.append(web.secret_key_env)
    return list(dict.fromkeys(names))


def secret_values(settings: Settings | None, env: Mapping[str, str]) -> list[str]:
    """The secret values set in `env` (never logged themselves, of course)."""
    return [value for name in secret_envs(settings) if (value := env.get(name))]


class SecretFilter(logging.Filter):
    """Rewrites each record with every form of the secrets replaced; never drops a record."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__("")
        self.redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.redact:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: logging reports it itself
            return True
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install(settings: Settings | None, env: Mapping[str, str], root: logging.Logger | None = None) -> SecretFilter:
    """Put a `SecretFilter` for these secrets on each of the root logger's handlers."""
    root = root or logging.getLogger()
    secret_filter = SecretFilter(secret_values(settings, env))
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(old)
        handler.addFilter(secret_filter)
    return secret_filter
