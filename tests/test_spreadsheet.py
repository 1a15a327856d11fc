"""Every CSV the product writes goes through reports/spreadsheet.py: read back exactly, never run."""

from __future__ import annotations

import csv
import io

import pytest

from reports.spreadsheet import csv_text


@pytest.mark.parametrize("reply", ['=HYPERLINK("http://evil.example","click")', "+1 yes", "-2+3", "@SUM(A1)",
                                   "\t=1", "\r=1"])
def test_a_reply_that_would_run_as_a_formula_is_made_inert(reply: str) -> None:
    text = csv_text(["post_id", "text"], [{"post_id": "1858000000000000001", "text": reply}])
    [row] = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["text"] == "'" + reply


def test_ids_stay_text_and_ordinary_text_reads_back_exactly() -> None:
    row = {"id": 7, "post_id": "1858000000000000001", "text": "Merci, Leduc ✨ «oui»"}
    text = csv_text(["id", "post_id", "text"], [row])
    assert text.startswith("\ufeff"), "UTF-8 with a byte-order mark for spreadsheets"
    assert '"1858000000000000001"' in text, "quoted: a spreadsheet keeps it as written"
    [back] = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert back == {"id": "7", "post_id": "1858000000000000001", "text": "Merci, Leduc ✨ «oui»"}
