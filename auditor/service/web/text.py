"""Pure helpers for showing post text in the web app: evidence spans, version differences, links.

Nothing here builds HTML: each returns plain parts that the (autoescaped) templates wrap in
`<mark>`, `<ins>` and `<del>`, so no post text is ever trusted as markup.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


def safe_url(url: str | None) -> str | None:
    """The URL when it may become a link (http or https), else None: `javascript:`, `data:` and
    anything else stay text."""
    if not url:
        return None
    stripped = url.strip()
    if re.match(r"^https?://[^\s\"'<>]+$", stripped, re.IGNORECASE):
        return stripped
    return None


def evidence_parts(text: str, evidence: str) -> tuple[str, str, str]:
    """The text split around the evidence (before, evidence, after); ("text", "", "") when the
    evidence is not found in it verbatim."""
    quote = evidence.strip().strip("…").strip()
    at = text.find(quote) if quote else -1
    if at < 0:
        lowered = text.casefold().find(quote.casefold()) if quote else -1
        if lowered < 0 or len(text.casefold()) != len(text):
            return text, "", ""
        at = lowered
    return text[:at], text[at : at + len(quote)], text[at + len(quote) :]


@dataclass(frozen=True)
class Piece:
    kind: str  # same | added | removed
    text: str


_TOKENS = re.compile(r"\s+|[^\s]+")


def differences(old: str, new: str) -> list[Piece]:
    """Word-level differences from one version to the next, for `<del>` and `<ins>`."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces
