"""The department's web app: the findings queue, decisions, the archive, reports and exports.

`create_app(context)` builds a Flask app over one open archive and one `Settings` (the app
factory of Flask's tutorial: tests pass their own settings, archive and clock). It reads and
writes only through `Store` methods and the archive's search and export functions, and renders
server-side templates with autoescape on; no post text is ever marked safe.
`auditor web` serves it with waitress.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.wrappers import Response

from auditor.service.web.common import WebContext

log = logging.getLogger(__name__)
HERE = Path(__file__).parent

# No inline script or style on the app's own pages; images only from here.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def create_app(context: WebContext) -> Flask:
    from auditor.service.web import admin, api, archive, auth, exports, findings, reports, templating

    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    web_settings = context.settings.web
    secret = context.env.get(web_settings.secret_key_env)
    if not secret:
        log.warning("%s is not set: sessions end when the web app restarts", web_settings.secret_key_env)
        secret = secrets.token_hex(32)
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="auditor_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=web_settings.cookies_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web_settings.session_hours),
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.extensions["auditor"] = context
    app.jinja_env.undefined = StrictUndefined
    templating.install(app)
    for module in (auth, findings, archive, reports, exports, admin, api):
        app.register_blueprint(module.blueprint)
    app.after_request(_headers)
    return app


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


__all__ = ["WebContext", "create_app"]
