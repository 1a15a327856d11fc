"""Pure parsing of X API v2 tweet-list bodies into `Page`s.

Handles GET /2/users/:id/tweets, /2/users/:id/mentions, /2/tweets/search/recent|all and
/2/tweets?ids= (and /2/tweets/:id, whose `data` is one object). No I/O: the live connector
fetches, this module only reads the decoded JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.records import AccountRef, Page, Post, PostKind
from connectors.errors import AuthError, NotFound, PlatformError, RateLimited, scrub
from connectors.fields import malformed, obj, parse_time, text
from connectors.robust import guarded

PLATFORM = "x"
_TWEPOCH_MS = 1288834974657  # snowflake ids count milliseconds from this instant
_NOT_FOUND = "resource-not-found"
# referenced_tweets.type -> kind, in precedence order: a quote that is also a reply is a reply,
# because the reply relation is what places it in a conversation.
_REF_KINDS: tuple[tuple[str, PostKind], ...] = (
    ("retweeted", "repost"), ("replied_to", "reply"), ("quoted", "quote"),
)


@guarded(PLATFORM)
def parse_x_page(body: Any, account: AccountRef, *, assume_feed_author: bool = True) -> Page:
    """Turn one v2 response body into posts by the feed account and by others.

    `assume_feed_author`: default-field bodies (tweepy without `tweet.fields`) carry no
    `author_id`; for a user timeline those tweets are the feed account's. Pass False for
    mentions/search/lookup bodies, where that guess would attribute other people's words.
    """
    if not isinstance(body, dict):
        raise malformed(PLATFORM, account, f"expected a JSON object, got {_type(body)}")
    if "data" not in body:
        _raise_for_error_body(body, account)
    tweets = _tweet_list(body.get("data"), account)
    includes = body.get("includes") or {}
    if not isinstance(includes, dict):
        raise malformed(PLATFORM, account, "`includes` is not an object")
    users = _users(includes)
    feed_id = account.platform_id or _feed_user_id(users, account)
    # Only a body with no author info at all is a default-field body; a single missing
    # author_id among others is left unknown rather than guessed.
    guess = assume_feed_author and not any("author_id" in t for t in tweets)
    posts: dict[str, Post] = {}
    for tweet in tweets:
        posts.setdefault(tweet["id"], _post(tweet, users, feed_id, account, guess))
    for tweet in _tweet_list(includes.get("tweets"), account):
        posts.setdefault(tweet["id"], _post(tweet, users, feed_id, account, False))  # data wins
    meta = obj(body.get("meta"))
    errors = _error_list(body)
    return Page(
        posts=list(posts.values()),
        next_cursor=meta.get("next_token"),
        newest_id=meta.get("newest_id"),
        account_id=feed_id,
        errors=[_error_text(e) for e in errors if isinstance(e, dict)],
        # A lookup of archived ids answers "Not Found" for deleted tweets: the archive marks them.
        gone_ids=[str(e["resource_id"]) for e in errors
                  if isinstance(e, dict) and e.get("resource_type") == "tweet" and e.get("resource_id") and _gone(e)],
    )


def x_profile(body: Any, account: AccountRef) -> dict[str, Any] | None:
    """The feed account's `includes.users` entry (description, metrics…), if the body has it."""
    if not isinstance(body, dict) or not isinstance(body.get("includes"), dict):
        return None
    users = _users(body["includes"])
    feed_id = account.platform_id or _feed_user_id(users, account)
    return users.get(feed_id) if feed_id else None


def x_description(body: Any, account: AccountRef) -> str | None:
    """The feed account's description (its bio), if the body has the account's user object."""
    return text(obj(x_profile(body, account)).get("description"))


def _raise_for_error_body(body: dict[str, Any], account: AccountRef) -> None:
    """Raise for bodies without `data` unless they are a legitimately empty page."""
    who = account.handle
    if "title" in body or "status" in body:  # RFC 7807 problem+json: the whole request failed
        status, title = body.get("status"), str(body.get("title", "")).lower()
        detail = f"{body.get('title', 'error')}: {body.get('detail', '')}".rstrip(": ")
        if status in (401, 403) or title in ("unauthorized", "forbidden"):
            detail += " (the bearer token was rejected or lacks access to this endpoint)"
            raise AuthError(PLATFORM, who, "auth", detail)
        if status == 429 or title == "too many requests":
            raise RateLimited(PLATFORM, who, "rate-limited", detail)
        kind = str(body.get("type", "")).rsplit("/", 1)[-1] or "platform"
        raise PlatformError(PLATFORM, who, kind if kind != "about:blank" else "platform", detail)
    errors = _error_list(body)
    said = "; ".join(_error_text(e) for e in errors)
    codes = {e.get("code") for e in errors}
    if codes & {88}:  # v1.1-style {"errors":[{"code":88,"message":"Rate limit exceeded"}]}
        raise RateLimited(PLATFORM, who, "rate-limited", said)
    if codes & {32, 89, 215}:  # v1.1 codes for bad/expired/missing credentials
        raise AuthError(PLATFORM, who, "auth", said)
    if any(e.get("resource_type") == "user" and _gone(e) for e in errors):
        raise NotFound(PLATFORM, who, "not-found", said)  # the feed account is gone or suspended
    if errors and all(_gone(e) for e in errors):
        return  # a lookup whose tweets are all gone: an empty page that lists them in `errors`
    if errors:
        raise PlatformError(PLATFORM, who, "platform", said)
    meta = body.get("meta")
    if not (isinstance(meta, dict) and meta.get("result_count") == 0):
        raise malformed(PLATFORM, account, "no `data`, `errors` or empty `meta` in the body")


def _error_list(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = body.get("errors")
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def _gone(error: dict[str, Any]) -> bool:
    detail = str(error.get("detail", "")).lower()
    return str(error.get("type", "")).endswith(_NOT_FOUND) or "suspended" in detail


def _tweet_list(data: Any, account: AccountRef) -> list[dict[str, Any]]:
    if data is None:
        return []
    items = [data] if isinstance(data, dict) else data  # /2/tweets/:id returns one object
    if not isinstance(items, list):
        raise malformed(PLATFORM, account, f"`data` is {_type(data)}, not a list")
    for item in items:
        ok = isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].isdigit()
        if not ok or not isinstance(item.get("text"), str):
            # e.g. a user list (/retweeted_by) sent to the tweet parser
            raise malformed(PLATFORM, account, "a `data` item is not a tweet")
    return items


def _users(includes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    users = includes.get("users") or []
    return {u["id"]: u for u in users if isinstance(u, dict) and isinstance(u.get("id"), str)}


def _feed_user_id(users: dict[str, dict[str, Any]], account: AccountRef) -> str | None:
    handle = account.handle.lstrip("@").lower()
    return next((uid for uid, u in users.items() if str(u.get("username")).lower() == handle), None)


def _post(
    tweet: dict[str, Any], users: dict[str, dict[str, Any]], feed_id: str | None,
    account: AccountRef, guess_feed_author: bool,
) -> Post:
    author_id = tweet.get("author_id")
    by_feed = guess_feed_author if author_id is None else author_id == feed_id
    if author_id is None and guess_feed_author:
        author_id = feed_id
    user = users.get(author_id) if author_id else None
    handle = user.get("username") if user else (account.handle.lstrip("@") if by_feed else None)
    refs = {
        r.get("type"): r.get("id")
        for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)
    }
    kind: PostKind = next((k for t, k in _REF_KINDS if t in refs), "post" if by_feed else "comment")
    long_text = text(obj(tweet.get("note_tweet")).get("text"))
    tid = tweet["id"]
    return Post(
        platform=PLATFORM,
        platform_id=tid,
        author_id=author_id,
        author_handle=handle,
        author_name=user.get("name") if user else None,
        created_at=_created_at(tweet, account),
        # What a reader sees: X escapes &, < and > in tweet text ("&amp;"); `raw` keeps the body as sent.
        text=_unescape(long_text if long_text is not None else tweet["text"]),
        url=f"https://x.com/{handle}/status/{tid}" if handle else f"https://x.com/i/web/status/{tid}",
        kind=kind,
        parent_id=refs.get("replied_to") or refs.get("retweeted") or refs.get("quoted"),
        conversation_id=tweet.get("conversation_id"),
        raw=tweet,
    )


def _unescape(value: str) -> str:
    """X API v2 text with its three HTML entities decoded, once ("&amp;lt;" is "&lt;" as typed)."""
    if "&" not in value:
        return value
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _created_at(tweet: dict[str, Any], account: AccountRef) -> datetime:
    value = tweet.get("created_at")
    if value is None:  # default-field bodies: the snowflake id carries the creation time
        ms = (int(tweet["id"]) >> 22) + _TWEPOCH_MS
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    return parse_time(value, PLATFORM, account, "created_at")  # X always sends "Z"


def _error_text(error: dict[str, Any]) -> str:
    detail = error.get("detail") or error.get("message") or "unknown error"
    title = error.get("title")
    return scrub(f"{title}: {detail}" if title else str(detail))


def _type(value: Any) -> str:
    return type(value).__name__
