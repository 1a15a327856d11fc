"""An X account archive's `data/tweets.js`, as the account's owner downloads it, into posts.

The file is JavaScript: `window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]`. Each tweet has
`id_str`, `full_text`, `created_at` ("Tue Nov 17 04:30:00 +0000 2026"),
`in_reply_to_status_id_str`, `in_reply_to_user_id_str`, `in_reply_to_screen_name`; retweets
are kept as text starting "RT @". The archive has no conversation ids, only the account's own
tweets, and no residents' replies.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.records import AccountRef, Page, Post, PostKind
from connectors.fields import load_json, malformed, parse_time, text

PLATFORM = "x"
ARCHIVE_TIME = "%a %b %d %H:%M:%S %z %Y"  # "Tue Nov 17 04:30:00 +0000 2026"
_PREFIX = re.compile(r"^\s*window\.YTD\.[A-Za-z_]+\.part\d+\s*=\s*", re.S)


def parse_x_archive(content: str, account: AccountRef) -> Page:
    items = load_json(_PREFIX.sub("", content, count=1), PLATFORM, account, "an X archive tweets.js")
    if not isinstance(items, list):
        raise malformed(PLATFORM, account, "tweets.js does not hold a list of tweets")
    posts = [_post(item.get("tweet", item), account) for item in items if isinstance(item, dict)]
    return Page(posts, account_id=account.platform_id)


def _post(tweet: Any, account: AccountRef) -> Post:
    if not isinstance(tweet, dict):
        raise malformed(PLATFORM, account, "a `tweet` is not an object")
    if tweet.get("id_str") is None:
        raise malformed(PLATFORM, account, "a tweet has no `id_str`")
    tweet_id = str(tweet["id_str"])
    words = text(tweet.get("full_text", tweet.get("text", "")))
    if words is None:
        raise malformed(PLATFORM, account, f"tweet {tweet_id}: `full_text` is not a string")
    created = parse_time(tweet.get("created_at"), PLATFORM, account, "created_at", fmt=ARCHIVE_TIME)
    parent = tweet.get("in_reply_to_status_id_str")
    kind: PostKind = "repost" if words.startswith("RT @") else ("reply" if parent else "post")
    handle = account.handle.lstrip("@")
    return Post(
        platform=PLATFORM,
        platform_id=tweet_id,
        author_id=account.platform_id,
        author_handle=handle,
        author_name=None,
        created_at=created,
        text=words,
        url=f"https://x.com/{handle}/status/{tweet_id}",
        kind=kind,
        parent_id=str(parent) if parent else None,
        raw=tweet,
    )
