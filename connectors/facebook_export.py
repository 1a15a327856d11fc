"""A Facebook "Download your information" posts file (JSON) into posts.

The file is a list of `{"timestamp": 1605570600, "data": [{"post": "..."}, {"update_timestamp":
...}], "title": "...", "attachments": [...]}`. It has no post ids, so each post gets a stable
one from its time and text (`export-<sha1>`), and no comments by others. Facebook writes the
text as UTF-8 bytes escaped as Latin-1 characters ("cafÃ©" for "café"); that is undone here.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from auditor.records import AccountRef, Page, Post
from connectors.fields import load_json, malformed

PLATFORM = "facebook"


def repair_mojibake(text: str) -> str:
    """Undo Facebook's export encoding when the text is in it; leave proper text alone."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def parse_facebook_export(text: str, account: AccountRef) -> Page:
    items = load_json(text, PLATFORM, account, "a Facebook posts export")
    if isinstance(items, dict):  # some export versions wrap the list
        items = next((v for v in items.values() if isinstance(v, list)), None)
    if not isinstance(items, list):
        raise malformed(PLATFORM, account, "the export does not hold a list of posts")
    posts = [p for p in (_post(item, account) for item in items if isinstance(item, dict)) if p is not None]
    return Page(posts, account_id=account.platform_id)


def _post(item: dict[str, Any], account: AccountRef) -> Post | None:
    timestamp = item.get("timestamp")
    if not isinstance(timestamp, int | float):
        raise malformed(PLATFORM, account, "an exported post has no `timestamp`")
    data = item.get("data")
    parts = [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []
    text = "\n".join(repair_mojibake(p["post"]) for p in parts if isinstance(p.get("post"), str))
    if not text:
        return None  # photo or check-in without words: nothing the rules can read
    updated = next(
        (datetime.fromtimestamp(p["update_timestamp"], UTC) for p in parts
         if isinstance(p.get("update_timestamp"), int | float)),
        None,
    )
    digest = hashlib.sha1(f"{timestamp}\n{text}".encode()).hexdigest()[:20]
    return Post(
        platform=PLATFORM,
        platform_id=f"export-{digest}",
        author_id=account.platform_id,
        author_handle=account.handle,
        author_name=None,
        created_at=datetime.fromtimestamp(timestamp, UTC),
        updated_at=updated,
        text=text,
        url=None,
        kind="post",
        raw=item,
    )
