"""Live connectors by platform name: an explicit registry, one module per platform."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from connectors.base import Connector
from connectors.facebook import make_facebook
from connectors.x import make_x

if TYPE_CHECKING:
    from auditor.settings import Settings

Factory = Callable[["Settings", Mapping[str, str]], Connector]
LIVE: dict[str, Factory] = {}
LIVE["x"] = make_x
LIVE["facebook"] = make_facebook
