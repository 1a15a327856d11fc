"""Loading ../shared/corpus (real posts by elected officials) as posts a councillor wrote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from auditor.engine.context import AccountInfo
from auditor.records import PostView

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ACCOUNTS = [AccountInfo("x", "official", "representative", "Councillor X"),
            AccountInfo("facebook", "official", "representative", "Councillor X")]


def corpus_posts() -> Iterator[PostView]:
    """Every corpus record as a post by a councillor's representative account.

    Retweets (`RT @`) are reposts: their words are someone else's, as the corpus README warns.
    """
    tweets = CORPUS / "congresstweets-sample.jsonl"
    for line in tweets.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        yield PostView(
            platform="x", platform_id=record["id"], feed_account="official", author_id="official",
            author_handle=record["screen_name"], author_account="official", councillor="Councillor X",
            kind="repost" if text.startswith("RT @") else "post", text=text,
            created_at=datetime.fromisoformat(record["time"]), url=record["link"],
        )
    pages = CORPUS / "facebook-canada2015-leaders-posts.jsonl"
    for line in pages.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        yield PostView(
            platform="facebook", platform_id=record["id"], feed_account="official", author_id="official",
            author_handle=record["from_name"], author_account="official", councillor="Councillor X", kind="post",
            text=record["message"] or "", created_at=datetime.strptime(record["created_time"], "%Y-%m-%dT%H:%M:%S%z"),
            url=record["link"],
        )
