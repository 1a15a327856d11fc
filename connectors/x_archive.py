"""An X account archive's `data/tweets.js`, as the account's owner downloads it, into posts.

The file is JavaScript: `window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]`. Each tweet has
`id_str`, `full_text`, `created_at` ("Tue Nov 17 04:30:00 +0000 2026"),
`in_reply_to_status_id_str`, `in_reply_to_user_id_str`, `in_reply_to_screen_name`; retweets
are kept as text starting "RT @". The archive has no conversation ids, only the account's own
tweets, and no residents' replies.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from auditor.records import AccountRef, Page, Post
from connectors.errors import MalformedBody

_PREFIX = re.compile(r"^\s*window\.YTD\.[A-Za-z_]+\.part\d+\s*=\s*", re.S)


def parse_x_archive(text: str, account: AccountRef) -> Page:
    body = _PREFIX.sub("", text, count=1)
    try:
        items = json.loads(body)
    except ValueError as exc:
        raise MalformedBody("x", account.handle, "malformed", f"not an X archive tweets.js ({exc})") from None
    if not isinstance(items, list):
        raise MalformedBody("x", account.handle, "malformed", "tweets.js does not hold a list of tweets")
    posts = [_post(item.get("tweet", item), account) for item in items if isinstance(item, dict)]
    return Page(posts, account_id=account.platform_id)


def _post(tweet: dict[str, Any], account: AccountRef) -> Post:
    try:
        tweet_id = str(tweet["id_str"])
        text = tweet.get("full_text", tweet.get("text", ""))
        created = datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
    except (KeyError, ValueError, TypeError) as exc:
        raise MalformedBody(
            "x", account.handle, "malformed", f"a tweet lacks id_str, text or created_at ({exc})"
        ) from None
    parent = tweet.get("in_reply_to_status_id_str")
    kind = "repost" if text.startswith("RT @") else ("reply" if parent else "post")
    return Post(
        platform="x",
        platform_id=tweet_id,
        author_id=account.platform_id,
        author_handle=account.handle.lstrip("@"),
        author_name=None,
        created_at=created,
        text=text,
        url=f"https://x.com/{account.handle.lstrip('@')}/status/{tweet_id}",
        kind=kind,
        parent_id=str(parent) if parent else None,
        raw=tweet,
    )
