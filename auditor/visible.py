"""Text for a terminal or a .txt file, with control characters shown instead of obeyed.

Post text and platform error messages are untrusted: an escape sequence in them could clear the
operator's screen, retitle the window or hide the lines before it, a NUL or a BEL garble a file
or ring. `visible` writes each such character as its escape (`\\x1b`, `\\x07`, `\\u202e`) and keeps
line breaks and tabs. HTML needs none of this: it escapes on its own.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides and
# isolates that reorder what follows them on screen.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character (but line breaks and tabs) written as its escape."""
    return _CONTROL.sub(_escape, text)
