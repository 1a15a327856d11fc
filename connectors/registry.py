"""The platforms this auditor reads, by name: the one registry every other place reads.

Each `Platform` holds its name as the configuration spells it, its display name, the pure parsers
replay reads recorded bodies with (a page parser, and a profile parser where the platform's
bodies carry the account's bio), and its live connector's factory. The imports of platform
exports (an X archive, a Facebook download) are registered here too (`EXPORTS`).

An unknown name fails with `UnknownPlatform`, listing the known ones (a `ConnectorError`, so an
account on it fails alone, and a `ValueError`, so a settings validator can raise it as is).

Cheap to import: the parsers are pure and the platform SDKs (tweepy, facebook-sdk,
googleapiclient, atproto, Mastodon.py) are imported when a live connector is first built, not
when this registry is: atproto alone takes about a second, which every `auditor` command (most of
which never read a platform) would otherwise pay. An SDK left out of the install fails that
platform's accounts alone. Nothing here touches the archive.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from auditor.platforms import DISPLAY_NAMES, EXPORT_KINDS, NAMES
from auditor.records import AccountRef, Page
from connectors.bluesky_parse import bluesky_profile, parse_bluesky_page
from connectors.errors import ConnectorError
from connectors.facebook_export import parse_facebook_export
from connectors.facebook_parse import parse_facebook_page
from connectors.mastodon_parse import mastodon_profile, parse_mastodon_page
from connectors.x_archive import parse_x_archive
from connectors.x_parse import parse_x_page, x_description
from connectors.youtube_parse import parse_youtube_page, youtube_profile

if TYPE_CHECKING:
    from auditor.config.settings import Settings
    from connectors.base import Connector

PageParser = Callable[[Any, AccountRef], Page]  # the decoded body: an object (a Mastodon list is an array)
ProfileParser = Callable[[Any, AccountRef], str | None]
ExportParser = Callable[[str, AccountRef], Page]  # the whole file's text
Factory = Callable[["Settings", Mapping[str, str]], "Connector"]


class UnknownPlatform(ConnectorError, ValueError):
    """A platform name this version does not know."""

    def __init__(self, name: str, account: str = "*"):
        super().__init__(name, account, "unsupported",
                         f"unknown platform {name!r}: this version reads {', '.join(NAMES)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return UnknownPlatform, (self.platform, self.account)


@dataclass(frozen=True)
class Platform:
    name: str
    display: str  # as people write it: "YouTube"
    parse_page: PageParser
    parse_profile: ProfileParser | None  # None: its recorded bodies never carry the account's bio
    live_module: str  # the live connector's module, imported when first built
    live_factory: str  # its `make_…(settings, env)` function

    def build(self, settings: Settings, env: Mapping[str, str]) -> Connector:
        """The live connector, its module (and so its SDK) imported now."""
        try:
            module = importlib.import_module(self.live_module)
        except ImportError as exc:  # an SDK left out of the install: this platform's accounts fail alone
            raise ConnectorError(self.name, "*", "unsupported", f"the {exc.name or 'client'} package this "
                                 "connector needs is not installed (reinstall the auditor with its "
                                 "dependencies)") from None
        make: Factory = getattr(module, self.live_factory)
        return make(settings, env)

    def profile(self, body: Any, account: AccountRef) -> str | None:
        """The account's bio, when this recorded body carries it."""
        return self.parse_profile(body, account) if self.parse_profile else None


@dataclass(frozen=True)
class ExportFormat:
    """An account's own download that `auditor import KIND` reads, where no API can."""

    kind: str  # the command's KIND: "x-archive"
    platform: str
    parse: ExportParser


_ALL = (
    Platform("x", "X", parse_x_page, x_description, "connectors.x", "make_x"),
    Platform("facebook", "Facebook", parse_facebook_page, None, "connectors.facebook", "make_facebook"),
    Platform("youtube", "YouTube", parse_youtube_page, youtube_profile, "connectors.youtube", "make_youtube"),
    Platform("bluesky", "Bluesky", parse_bluesky_page, bluesky_profile, "connectors.bluesky", "make_bluesky"),
    Platform("mastodon", "Mastodon", parse_mastodon_page, mastodon_profile, "connectors.mastodon", "make_mastodon"),
)
PLATFORMS: Mapping[str, Platform] = MappingProxyType({p.name: p for p in _ALL})
EXPORTS: Mapping[str, ExportFormat] = MappingProxyType({e.kind: e for e in (
    ExportFormat("x-archive", "x", parse_x_archive),
    ExportFormat("facebook-export", "facebook", parse_facebook_export),
)})
# Live connectors by name, for code that wants a plain factory (`LIVE[name](settings, env)`).
LIVE: Mapping[str, Factory] = MappingProxyType({p.name: p.build for p in _ALL})

if (tuple(PLATFORMS), {p.name: p.display for p in _ALL}, tuple(EXPORTS)) != (NAMES, dict(DISPLAY_NAMES), EXPORT_KINDS):
    raise RuntimeError("connectors/registry.py and auditor/platforms.py disagree")  # pragma: no cover


def get(name: str, account: str = "*") -> Platform:
    """The platform called `name`; `UnknownPlatform` (naming `account`, and the known ones) if none."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(name, account) from None


def export(kind: str) -> ExportFormat:
    """The export format `kind`; ValueError listing the known ones if none."""
    try:
        return EXPORTS[kind]
    except KeyError:
        raise ValueError(f"unknown export {kind!r}: this version imports {', '.join(EXPORTS)}") from None
