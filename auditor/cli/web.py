"""`auditor web`: the department's web app, served by waitress."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from auditor.cli.common import App, say


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Requests served at once.")
@click.pass_obj
def web(app: App, host: str, port: int, threads: int) -> None:
    """Serve the web app: the findings queue, decisions, the archive, reports and exports.

    Sign in with an account made by `auditor users add`. Behind a TLS proxy on the same
    machine, set `web.base_url` to the https address; X-Forwarded-For and -Proto are trusted
    from 127.0.0.1 only.
    """
    import waitress

    from auditor.service.web import WebContext, create_app

    settings = app.settings
    store = app.store()
    if not store.users():
        say("No users yet: create one first with `auditor users add NAME --role admin`.")
    application = create_app(WebContext(settings, store, app.now if app.now_given else _utc_now, app.env))
    say(f"Serving {settings.council.name} on http://{host}:{port}/ (Ctrl+C stops it)")
    waitress.serve(
        application, host=host, port=port, threads=threads, ident="auditor",
        trusted_proxy="127.0.0.1", trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
        clear_untrusted_proxy_headers=True,
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


COMMANDS: tuple[click.Command, ...] = (web,)
