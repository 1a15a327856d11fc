"""Known secret values and every form they travel in, replaced by "[redacted]".

`errors.scrub` finds credentials by their shape (`access_token=…`, `Bearer …`); this module
knows the actual values in use (the tokens and keys read from the environment) and removes them
wherever they appear, in each form a URL, a header or a platform's echo gives them: as is,
percent-encoded (`%7C` for the `|` of a Facebook app token; `quote` and `quote_plus`, upper and
lower case hex), and base64 (standard and URL-safe, with and without padding, as in an HTTP Basic
or SMTP AUTH header). Used by the body recorder before anything is archived, and by the logging
filter of `auditor.secrets` before anything is logged.

Values shorter than `MIN_SECRET` are not treated as secrets: replacing a four-letter user name
everywhere would garble every log line and prove nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
MIN_SECRET = 6


def secret_forms(secret: str) -> set[str]:
    """The secret as is, percent-encoded and base64-encoded."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="|")}
    forms |= {f.replace(f"%{h}", f"%{h.lower()}") for f in list(forms) for h in _hex_escapes(f)}
    raw = secret.encode("utf-8")
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms |= {text, text.rstrip("=")}
    return {f for f in forms if f}


def _hex_escapes(text: str) -> set[str]:
    return {text[i + 1:i + 3] for i in range(len(text) - 2) if text[i] == "%"}


class Redactor:
    """Replaces every form of the given secrets; longest first, so no form leaves a tail behind."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        values = {s for s in secrets if s and len(s) >= MIN_SECRET}
        self.forms = sorted({f for s in values for f in secret_forms(s)}, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text
