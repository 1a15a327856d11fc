"""What every area of the web app shares: the app's context (settings, archive, clock), the
signed-in user and their rights, and the decorator that guards a route.

Roles and rights: a viewer reads; a reviewer reads and decides; a clerk reads, searches and
exports; an admin does everything and manages users and reads the audit log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import current_app, g, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from auditor.records import UserRecord

if TYPE_CHECKING:
    from auditor.archive.store import Store
    from auditor.config.settings import Settings

log = logging.getLogger(__name__)

RIGHTS: Mapping[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "reviewer": frozenset({"read", "decide"}),
    "clerk": frozenset({"read", "search", "export"}),
    "admin": frozenset({"read", "decide", "search", "export", "admin"}),
}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WebContext:
    """Handed to `create_app`: nothing in the web app reads configuration or the clock itself."""

    settings: Settings
    store: Store
    clock: Callable[[], datetime] = utc_now
    env: Mapping[str, str] = field(default_factory=dict)


def web() -> WebContext:
    return cast(WebContext, current_app.extensions["auditor"])


def now() -> datetime:
    return web().clock()


def user() -> UserRecord | None:
    return cast(UserRecord | None, g.get("user"))


def can(right: str, who: UserRecord | None = None) -> bool:
    who = who if who is not None else user()
    return who is not None and right in RIGHTS.get(who.role, frozenset())


def audit(action: str, target: str = "", detail: str = "") -> None:
    """One line in the audit log, by the signed-in user (or the token's owner)."""
    who = user()
    web().store.log_event(who.name if who else "", action, target, detail, now())


F = TypeVar("F", bound=Callable[..., Any])


def is_api() -> bool:
    return request.path.startswith("/api/")


def requires(right: str) -> Callable[[F], F]:
    """Guard a route: no user is 401 (API) or a redirect to the sign-in page; a user without
    the right is 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            who = user()
            if who is None:
                if is_api():
                    response = jsonify(error="sign in, or send Authorization: Bearer TOKEN")
                    response.status_code = 401
                    response.headers["WWW-Authenticate"] = 'Bearer realm="auditor"'
                    return response
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not can(right, who):
                if is_api():
                    return jsonify(error=f"the {who.role} role may not do this"), 403
                return refuse(f"Your role ({who.role}) does not allow this page.")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def refuse(message: str, status: int = 403) -> Response:
    from flask import render_template

    response = current_app.make_response((render_template("error.html", message=message, status=status), status))
    return response
