"""Typed connector errors: what went wrong, for which account, and what the operator should do.

Raised as `Cls(platform, account, kind, message)` (keywords: `reset_at` for a rate limit,
`env` for the environment variable a refused credential came from). The fields stay typed all
the way to the archive and the report, nobody parses them back out of a string:
- `kind`: a short stable slug for logs and the store ("rate-limited", "auth", "not-found",
  "invalid-request", "unreachable", "malformed", "config" for an account the configuration does
  not describe enough to read, "missing" for a replayed account with no bodies, "unsupported",
  "internal" for an unexpected fault of the auditor itself while reading or storing one account);
- `message`: what happened, for people;
- `advice`: what to do about it, computed here and only here from the kind and the platform
  (`advice_for`), so the CLI, `accounts check` and the report all give the same advice;
- `explanation`: the one line shown to users, message then advice.
Messages are scrubbed of anything that looks like a credential, because platform messages and
URLs can echo a token back and these strings end up in logs and reports.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Self

# `access_token=…`, `appsecret_proof=…`, `Bearer …`, `?key=…`: redact the value, keep what it was.
_SECRET = re.compile(
    # (also percent-encoded, `access_token%3D…`, as in a `paging.next` URL quoted inside another)
    r"(access_token|appsecret_proof|client_secret)([=:\s]+|%3D)[^\s&\"',%]*(?:%(?!26)[0-9A-Fa-f]{2}[^\s&\"',%]*)*"
    # after "Bearer", only a token-shaped value: "the bearer token was rejected" stays readable
    r"|(bearer)(\s+)[A-Za-z0-9%._~+/=-]{16,}"
    # Google API keys travel as a `key=` query parameter (googleapiclient puts the URL in its errors);
    # only in a URL query, so prose such as "the key: …" stays readable
    r"|([?&](?:key|api_key))(=|%3D)[^\s&\"',]+",
    re.I,
)


def scrub(text: str) -> str:
    """Remove credential values from text meant for people or logs."""
    return _SECRET.sub(lambda m: f"{m[1] or m[3] or m[5]}{m[2] or m[4] or m[6]}[redacted]", text)


# What to do, by kind. `{env}` is " in NAME" when the credential's variable is known, `{reset}`
# the time a limit lifts (" at 14:55 UTC on 2026-11-18") when the platform said.
_ADVICE: dict[str, str] = {
    "auth": "Renew the access token{env} or grant the missing permission, then rerun.",
    "rate-limited": "Wait for the limit to reset{reset}; the next scheduled run resumes from the saved cursor.",
    "read-cap": "Raise `platforms.{platform}.monthly_read_cap` in the configuration, or wait until the cap "
                "resets{reset}; the next run after that resumes from the saved cursor.",
    "not-found": "Check the configured handle/id; if the account or post was removed, record that.",
    "unreachable": "Check this machine's network access to the platform; the next scheduled run tries again.",
    "malformed": "Keep the body for inspection and report it; the parser may need updating.",
    "config": "Complete the account's entry in the configuration file, then run `auditor accounts check`.",
    "missing": "Add recorded bodies for this account, or remove it from the configuration.",
    "internal": "This is a fault of the auditor, not of the platform: report it with the log (-vv); the other "
                "accounts were read, and this one is tried again at the next run.",
    "unsupported": "Check the platform's name in the configuration; if it is right, reinstall the auditor with "
                   "its dependencies, or keep the account for the record.",
}
# Where a platform needs its own words: Bluesky and Mastodon are read anonymously, so an "auth"
# refusal is the account's or the server's choice, not a token to renew.
_PLATFORM_ADVICE: dict[tuple[str, str], str] = {
    ("bluesky", "auth"): "The account can only be read when logged in, which this version does not do; "
                         "keep it for the record or ask its owner to make it public.",
    ("mastodon", "auth"): "The server only answers logged-in readers, which this version does not do; "
                          "keep the account for the record or ask its owner to move to an open server.",
}
_DEFAULT_ADVICE = "Retry later; report it if it persists."


def advice_for(kind: str, platform: str, *, env: str | None = None, reset_at: datetime | None = None) -> str:
    """What an operator should do about an error of this kind on this platform."""
    template = _PLATFORM_ADVICE.get((platform, kind)) or _ADVICE.get(kind, _DEFAULT_ADVICE)
    reset = f" at {reset_at.astimezone(UTC):%H:%M} UTC on {reset_at.astimezone(UTC):%Y-%m-%d}" if reset_at else ""
    return template.format(env=f" in {env}" if env else "", reset=reset, platform=platform)


class ConnectorError(Exception):
    """A platform refused or garbled a read of one account."""

    def __init__(self, platform: str, account: str, kind: str, message: str, *,
                 reset_at: datetime | None = None, env: str | None = None):
        self.platform = platform
        self.account = account  # the handle as configured, "*" for the whole platform
        self.kind = kind
        self.message = scrub(message).rstrip(". ")
        self.reset_at = reset_at  # when a limit lifts, where the platform said
        self.env = env  # the environment variable of the credential involved (its name, never its value)
        super().__init__(str(self))

    @property
    def handle(self) -> str:
        return self.account

    @property
    def advice(self) -> str:
        return advice_for(self.kind, self.platform, env=self.env, reset_at=self.reset_at)

    @property
    def explanation(self) -> str:
        """What went wrong and what to do, in one line, for a line that already names the account."""
        return f"{self.message}. {self.advice}"

    def for_account(self, handle: str) -> Self:
        """The same error, named for `handle` (an error raised below the account's own context)."""
        return type(self)(self.platform, handle, self.kind, self.message, reset_at=self.reset_at, env=self.env)

    def __str__(self) -> str:
        return f"{self.platform} {self.account}: {self.explanation}"

    def __reduce__(self) -> tuple[Any, ...]:
        # `args` holds the display line, not the constructor's arguments: rebuild from the fields
        # (copy and pickle use this).
        return _rebuild, (type(self), self.platform, self.account, self.kind, self.message, self.reset_at, self.env)


class RateLimited(ConnectorError):
    """The platform (or the configured read cap) limits reads for now; `reset_at` when it lifts."""


class AuthError(ConnectorError):
    """Token missing, expired or invalid, or lacking a permission."""


class NotFound(ConnectorError):
    """The account or post is gone (deleted, suspended) or not visible."""


class PlatformError(ConnectorError):
    """5xx, a rejected request, or an answer the connector does not understand."""


class AccountConfigError(ConnectorError):
    """The configuration does not say enough to read this account (a Mastodon account's server)."""


class MalformedBody(ConnectorError):
    """The body is not the JSON shape the parser expects."""


def _rebuild(cls: type[ConnectorError], platform: str, account: str, kind: str, message: str,
             reset_at: datetime | None, env: str | None) -> ConnectorError:
    return cls(platform, account, kind, message, reset_at=reset_at, env=env)
