"""The last resort of a run: an exception nobody expected, from one account, is that account's error.

A parser meeting a shape it does not know, a body the database refuses, a bug: whatever it is, the
account fails alone with a one-line reason, the other accounts are read and audited, and the log
names the exception's type (at debug level its traceback, for whoever reports it; never on the
terminal, where users see only the line).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from connectors.errors import ConnectorError, MalformedBody
from connectors.robust import SHAPE_ERRORS, clean_text

log = logging.getLogger(__name__)


def account_error(exc: Exception, platform: str, handle: str) -> ConnectorError:
    """`exc`, raised while reading or storing one account, as that account's error."""
    log.warning("%s @%s failed with an unexpected %s", platform, handle, type(exc).__name__)
    log.debug("%s @%s: unexpected error", platform, handle, exc_info=exc)
    detail = clean_text(str(exc)).splitlines()[0][:200] if str(exc) else ""
    what = f"{type(exc).__name__}{': ' + detail if detail else ''}"
    if isinstance(exc, RecursionError):
        return MalformedBody(platform, handle, "malformed", "a body is nested too deeply to read")
    if isinstance(exc, SHAPE_ERRORS):
        return MalformedBody(platform, handle, "malformed", f"a body could not be read ({what})")
    return ConnectorError(platform, handle, "internal", f"reading or storing this account failed ({what})")


def without_secrets(exc: ConnectorError, redact: Callable[[str], str]) -> ConnectorError:
    """The same error with every known secret removed from its message: a platform may quote the
    token it refused ("Cannot parse access token: EAAG…"), and this line is printed and stored."""
    message = redact(exc.message)
    if message == exc.message:
        return exc
    return type(exc)(exc.platform, exc.account, exc.kind, message, reset_at=exc.reset_at, env=exc.env)
