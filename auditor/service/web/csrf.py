"""CSRF protection: a random token per session, required in every POSTed form.

A form carries it as the hidden field `csrf_token`. The JSON API is exempt when it is called
with a bearer token (no cookie: nothing to forge), and with a session it only accepts
`application/json`, which a cross-site form cannot send and a cross-site script cannot send
without a CORS preflight this app never answers; the cookie is SameSite=Lax besides.
"""

from __future__ import annotations

import hmac
import secrets

from flask import session

FIELD = "csrf_token"


def token() -> str:
    value = session.get(FIELD)
    if not isinstance(value, str):
        value = secrets.token_urlsafe(32)
        session[FIELD] = value
    return value


def valid(sent: str | None) -> bool:
    expected = session.get(FIELD)
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)
