"""Live connectors by platform name: kept for code that still imports `LIVE` from here.

The registry is `connectors.registry` (`registry.get(name).build(settings, env)`, or its `LIVE`);
this module goes once nothing imports it.
"""

from __future__ import annotations

from connectors.registry import LIVE, Factory

__all__ = ["LIVE", "Factory"]
