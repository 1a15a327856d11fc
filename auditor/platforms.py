"""The platforms this version knows, as people and the configuration name them.

Only names: cheap to import, so the CLI, the settings and the reports can all read them. What
each platform does (its parsers, its live connector) is registered in `connectors/registry.py`,
which checks at import that it covers exactly these names.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal, get_args

PlatformName = Literal["x", "facebook", "youtube", "bluesky", "mastodon"]
NAMES: tuple[str, ...] = get_args(PlatformName)  # in the order people see them listed
DISPLAY_NAMES = MappingProxyType(
    {"x": "X", "facebook": "Facebook", "youtube": "YouTube", "bluesky": "Bluesky", "mastodon": "Mastodon"}
)
EXPORT_KINDS: tuple[str, ...] = ("x-archive", "facebook-export")  # what `auditor import KIND` reads


def display_name(name: str) -> str:
    """How people write the platform's name ("YouTube"); an unknown name as it is (an archive may
    hold accounts of a platform a later version dropped)."""
    return DISPLAY_NAMES.get(name, name)
