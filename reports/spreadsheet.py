"""Every CSV the product writes, written one way, for spreadsheets and safely.

- UTF-8 with a byte-order mark, so spreadsheets read accents and emoji (left out for a pipe).
- Every text cell quoted, so a 19-digit platform id stays as written instead of 1.858E+18.
- A text cell that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab
  or carriage return) gets a leading apostrophe, as OWASP recommends: a resident's reply never
  runs as a formula in the clerk's spreadsheet. The JSON exports keep the text exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """The cell as a spreadsheet should see it: text that would start a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]], *, bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(fieldnames), quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: neutralised(value) for key, value in row.items()} for row in rows)
    return out.getvalue()
