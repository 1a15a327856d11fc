"""Typed connector errors: what went wrong, for which account, and what the operator should do.

Raised as `Cls(platform, account, kind, message)`: `kind` is a short stable slug for logs and
the store ("rate-limited", "auth", "not-found", "invalid-request", "unreachable", "malformed",
"config" for an account the configuration does not describe enough to read, …), `message` is
for people.
Messages are scrubbed of anything that looks like a credential, because platform messages and
URLs can echo a token back and these strings end up in logs and reports.
"""

from __future__ import annotations

import re
from datetime import datetime

# `access_token=…`, `appsecret_proof=…`, `Bearer …`, `?key=…`: redact the value, keep what it was.
_SECRET = re.compile(
    r"(access_token|appsecret_proof|client_secret)([=:\s]+)[^\s&\"',]+"
    # after "Bearer", only a token-shaped value: "the bearer token was rejected" stays readable
    r"|(bearer)(\s+)[A-Za-z0-9%._~+/=-]{16,}"
    # Google API keys travel as a `key=` query parameter (googleapiclient puts the URL in its errors);
    # only in a URL query, so prose such as "the key: …" stays readable
    r"|([?&](?:key|api_key))(=)[^\s&\"',]+",
    re.I,
)


def scrub(text: str) -> str:
    """Remove credential values from text meant for people or logs."""
    return _SECRET.sub(lambda m: f"{m[1] or m[3] or m[5]}{m[2] or m[4] or m[6]}[redacted]", text)


class ConnectorError(Exception):
    """A platform refused or garbled a read of one account."""

    advice = "Check the connector log and retry later."

    def __init__(self, platform: str, account: str, kind: str, message: str):
        self.platform = platform
        self.account = account
        self.kind = kind
        self.message = scrub(message).rstrip(". ")
        super().__init__(f"{platform} {account}: {self.message}. {self.advice}")

    @property
    def explanation(self) -> str:
        """What went wrong and what to do, for a line that already names the account."""
        return f"{self.message}. {self.advice}"


class RateLimited(ConnectorError):
    advice = "Wait for the limit to reset; the next scheduled run resumes from the saved cursor."

    def __init__(
        self, platform: str, account: str, kind: str, message: str, *,
        reset_at: datetime | None = None,
    ):
        self.reset_at = reset_at
        if reset_at is not None:
            message = f"{message.rstrip('. ')} (resets at {reset_at.isoformat()})"
        super().__init__(platform, account, kind, message)


class AuthError(ConnectorError):
    """Token missing, expired or invalid, or lacking a permission."""

    advice = "Renew the access token or grant the missing permission, then rerun."


class NotFound(ConnectorError):
    """The account or post is gone (deleted, suspended) or not visible."""

    advice = "Check the configured handle/id; if the account or post was removed, record that."


class PlatformError(ConnectorError):
    """5xx, a rejected request, or an answer the connector does not understand."""

    advice = "Retry later; report it if it persists."


class AccountConfigError(ConnectorError):
    """The configuration does not say enough to read this account (a Mastodon account's server)."""

    advice = "Complete the account's entry in the configuration file, then run `auditor accounts check`."


class MalformedBody(ConnectorError):
    """The body is not the JSON shape the parser expects."""

    advice = "Keep the body for inspection and report it; the parser may need updating."
