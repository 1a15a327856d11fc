"""Tamper evidence beyond the chain: signed checkpoints after each run, and post text re-derived
from the raw bodies it came from. docs/evidence.md says what each detects and what it cannot."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.archive import checkpoints
from auditor.archive.provenance import versions_with_bodies
from auditor.archive.store import Store
from auditor.config.settings import Settings
from auditor.records import AccountRef, Page
from connectors import registry
from connectors.errors import ConnectorError
from connectors.robust import SHAPE_ERRORS, clean_text, decode_body

log = logging.getLogger(__name__)


def checkpoint_after_run(settings: Settings, store: Store) -> checkpoints.Checkpoint | None:
    """Append the signed chain head to the checkpoint file, when the configuration names one.
    Never fails the run: a checkpoint that cannot be written is logged as an error."""
    path, key = settings.checkpoints_file, settings.signing_key_file
    if path is None:
        return None
    if key is None or not key.is_file():
        log.error("no checkpoint written: evidence.signing_key_file is %s; create it with "
                  "`auditor evidence keygen`", "not set" if key is None else f"missing ({key})")
        return None
    try:
        return checkpoints.write_checkpoint(store, path, key, datetime.now(UTC))
    except (OSError, ValueError) as exc:
        log.error("no checkpoint written to %s: %s", path, exc)
        return None


@dataclass
class Rederived:
    checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    not_found: int = 0  # versions whose body does not yield the post (another endpoint's shape)
    skipped: int = 0  # imported files (re-derived only by the import's own parser, not here)


def rederive_texts(store: Store) -> Rederived:
    """Parse each capture body again with its platform's parser and compare each post version's
    stored text with the text the body gives for that post."""
    result = Rederived()
    pages: dict[int, dict[str, str] | None] = {}
    for source in versions_with_bodies(store):
        if source.capture_source == "import":
            result.skipped += 1
            continue
        if source.capture_seq not in pages:
            pages[source.capture_seq] = _texts(source.platform, source.body,
                                               AccountRef(source.platform, source.handle, source.account_platform_id))
        texts = pages[source.capture_seq]
        derived = texts.get(source.post_id) if texts is not None else None
        if derived is None:
            result.not_found += 1
            continue
        result.checked += 1
        if derived != source.text:
            result.mismatches.append(
                f"{source.platform} post {source.post_id} (version {source.version_id}): the stored text differs "
                f"from the text in capture #{source.capture_seq} it came from")
    return result


def _texts(platform: str, body: str, account: AccountRef) -> dict[str, str] | None:
    try:
        page: Page = registry.get(platform).parse_page(decode_body(body, platform, account.handle), account)
    except ConnectorError:
        return None
    except SHAPE_ERRORS:  # the parsers are guarded; this is the belt to their braces
        return None
    return {post.platform_id: clean_text(post.text) for post in page.posts}


def checkpoint_summary(checkpoint: checkpoints.Checkpoint | None) -> dict[str, Any] | None:
    """The checkpoint as reports and exports carry it."""
    return json.loads(checkpoint.line()) if checkpoint else None


def latest_checkpoint(settings: Settings) -> checkpoints.Checkpoint | None:
    return checkpoints.latest(settings.checkpoints_file)


def public_key(settings: Settings, given: Path | None = None) -> Any:
    """The public key to check signatures with: given, the key file's `.pub`, or the key itself."""
    for candidate in (given, settings.signing_key_file and checkpoints.public_key_file(settings.signing_key_file),
                      settings.signing_key_file):
        if candidate is not None and candidate.is_file():
            return checkpoints.load_public(candidate)
    return None
