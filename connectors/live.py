"""Live connectors by platform name: an explicit registry, one module per platform.

The YouTube, Bluesky and Mastodon SDKs are imported when their connector is first built, not
when this registry is: atproto alone takes about a second to import, which every `auditor`
command (most of which never read a platform) would otherwise pay.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from connectors.base import Connector
from connectors.errors import ConnectorError
from connectors.facebook import make_facebook
from connectors.x import make_x

if TYPE_CHECKING:
    from auditor.config.settings import Settings

Factory = Callable[["Settings", Mapping[str, str]], Connector]


def _on_first_use(module: str, name: str) -> Factory:
    """`module.name`, imported when a connector is built."""

    def factory(settings: Settings, env: Mapping[str, str]) -> Connector:
        try:
            make = getattr(importlib.import_module(module), name)
        except ImportError as exc:  # an SDK left out of the install: that platform's accounts fail alone
            platform = module.rsplit(".", 1)[-1]
            raise ConnectorError(platform, "*", "unsupported", f"the {exc.name or 'client'} package this "
                                 "connector needs is not installed (reinstall the auditor with its "
                                 "dependencies)") from None
        return make(settings, env)

    factory.__name__ = factory.__qualname__ = name
    return factory


LIVE: dict[str, Factory] = {}
LIVE["x"] = make_x
LIVE["facebook"] = make_facebook
LIVE["youtube"] = _on_first_use("connectors.youtube", "make_youtube")
LIVE["bluesky"] = _on_first_use("connectors.bluesky", "make_bluesky")
LIVE["mastodon"] = _on_first_use("connectors.mastodon", "make_mastodon")
