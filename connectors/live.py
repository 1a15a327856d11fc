"""Live connectors by platform name: an explicit registry, one module per platform."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from connectors.base import Connector

if TYPE_CHECKING:
    from auditor.settings import Settings

Factory = Callable[["Settings", Mapping[str, str]], Connector]
LIVE: dict[str, Factory] = {}
