"""Pure parsing of Bluesky AppView (XRPC) bodies into `Page`s.

Reads app.bsky.feed.getAuthorFeed (`feed[]` of {post, reply{root,parent}, reason}, `cursor`),
app.bsky.feed.getPostThread (`thread`: a threadViewPost with nested `replies` and `parent`, or a
notFoundPost), app.bsky.feed.getPosts (`posts[]`) and app.bsky.actor.getProfile. No I/O.

- A post's id is its at:// URI; its url https://bsky.app/profile/HANDLE/post/RKEY.
- Kind comes from the record: `reply` set -> "reply" (parent `reply.parent.uri`, conversation
  `reply.root.uri`); an embedded record (app.bsky.embed.record / recordWithMedia) -> "quote";
  else "post". Parents and roots the feed carries (`feed[].reply`) are kept as posts too.
- A feed item with `reason` app.bsky.feed.defs#reasonRepost is the feed account's repost: id
  `reason.uri` (the repost record; older AppViews omit it, then "<post uri>#repost:<did>"), author
  `reason.by`, time `reason.indexedAt`, parent the reposted post, text "RT @handle: …" as for X.
  The reposted post is kept as its author's post.
- A pinned post (reasonPin) is an ordinary post of the account that the feed lists first
  whatever its age: it never counts as the feed's newest.
- A thread whose root is a notFoundPost (deleted) lists that URI in `gone_ids`; so do deleted
  replies inside a thread.
- Cursor: a getAuthorFeed page's `newest_id` is the newest item's time in UTC,
  "YYYY-MM-DDTHH:MM:SS+00:00" (text order is time order). An item's time is the AppView's sort
  time: the earlier of the record's `createdAt` and `indexedAt` (a client can back- or
  future-date `createdAt`), the repost's `indexedAt` for reposts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditor.records import AccountRef, Page, Post, PostKind
from connectors.errors import AuthError, ConnectorError, NotFound, PlatformError, RateLimited
from connectors.fields import cursor_time, malformed, obj, parse_iso, parse_time, require_list, text
from connectors.robust import guarded

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
_REPOST = "app.bsky.feed.defs#reasonRepost"
_PIN = "app.bsky.feed.defs#reasonPin"
_NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
_BLOCKED = "app.bsky.feed.defs#blockedPost"
_QUOTES = {"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"}


@guarded(PLATFORM)
def parse_bluesky_page(body: Any, account: AccountRef) -> Page:
    """Parse one AppView body: author feed, thread, post list, or profile."""
    if not isinstance(body, dict):
        raise malformed(PLATFORM, account, f"expected a JSON object, got {type(body).__name__}")
    if "error" in body and not any(k in body for k in ("feed", "thread", "posts")):
        raise xrpc_error(body, account)
    if "feed" in body:
        return _feed(body, account)
    if "thread" in body:
        return _thread_page(body["thread"], account)
    if "posts" in body:
        posts = require_list(body["posts"], PLATFORM, account, "posts")
        page_posts = _dedupe(_post(p, account) for p in posts if _is_post_view(p))
        cursor = text(body.get("cursor"))
        return Page(page_posts, next_cursor=cursor, account_id=_feed_did(posts, account))
    if "did" in body and "handle" in body:  # getProfile
        return Page([], account_id=account.platform_id or (str(body["did"]) if _is_feed(body, account) else None))
    raise malformed(PLATFORM, account, "not an author feed, thread, post list or profile")


def bluesky_profile(body: Any, account: AccountRef) -> str | None:
    """The account's description, from a getProfile body."""
    if isinstance(body, dict) and "did" in body and "handle" in body and _is_feed(body, account):
        return text(body.get("description")) or ""
    return None


def feed_times(body: Any) -> list[datetime]:
    """Sort times of a getAuthorFeed body's items, pinned posts left out (for paging)."""
    times = []
    items = body.get("feed") if isinstance(body, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and _reason_type(item) != _PIN and (moment := _sort_time(item)) is not None:
            times.append(moment)
    return times


def is_post_uri(uri: str) -> bool:
    """An at://AUTHORITY/app.bsky.feed.post/RKEY URI, nothing more: the only kind getPosts answers
    (a repost record's URI, or a synthetic id, would look deleted)."""
    if not uri.startswith("at://") or "#" in uri or "?" in uri:
        return False
    parts = uri[len("at://"):].split("/")
    return len(parts) == 3 and parts[1] == POST_COLLECTION and all(parts)


def rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def xrpc_error(body: dict[str, Any], account: AccountRef, status: int | None = None) -> ConnectorError:
    """Map an XRPC error body ({"error": "NotFound", "message": "…"})."""
    who = account.handle
    name = str(body.get("error") or "")
    detail = f"Bluesky {name or 'error'}: {body.get('message') or 'no message'}"
    if status == 429 or name == "RateLimitExceeded":
        return RateLimited(PLATFORM, who, "rate-limited", detail)
    if status in (401, 403) or name in ("AuthMissing", "AuthRequired", "InvalidToken", "ExpiredToken"):
        return AuthError(PLATFORM, who, "auth",
                         f"{detail} (the public AppView refused an anonymous read: the account may "
                         "limit who can see it when logged out)")
    if name in ("NotFound", "InvalidRequest", "AccountDeactivated", "AccountTakedown", "ActorNotFound",
                "BlockedActor", "BlockedByActor"):
        return NotFound(PLATFORM, who, "not-found", detail)
    if status is not None and status >= 500:
        return PlatformError(PLATFORM, who, "platform", detail)
    return PlatformError(PLATFORM, who, "invalid-request" if status == 400 else "platform", detail)


def _feed(body: dict[str, Any], account: AccountRef) -> Page:
    items = require_list(body["feed"], PLATFORM, account, "feed")
    posts: dict[str, Post] = {}
    newest: datetime | None = None
    for item in items:
        if not isinstance(item, dict) or not _is_post_view(item.get("post")):
            raise malformed(PLATFORM, account, "a feed item has no post view")
        view = item["post"]
        original = _post(view, account)
        if _reason_type(item) == _REPOST:
            repost = _repost(item, original, account)
            posts.setdefault(repost.platform_id, repost)
        posts.setdefault(original.platform_id, original)
        reply = item.get("reply")
        if isinstance(reply, dict):  # the thread the reply sits in, as the feed shows it
            for key in ("parent", "root"):
                if _is_post_view(reply.get(key)):
                    post = _post(reply[key], account)
                    posts.setdefault(post.platform_id, post)
        if _reason_type(item) != _PIN and (moment := _sort_time(item)) is not None:
            newest = moment if newest is None or moment > newest else newest
    cursor = text(body.get("cursor"))
    return Page(list(posts.values()), next_cursor=cursor, newest_id=cursor_time(newest) if newest else None,
                account_id=_feed_did([i.get("post") for i in items], account))


def _repost(item: dict[str, Any], original: Post, account: AccountRef) -> Post:
    reason = obj(item.get("reason"))
    by = obj(reason.get("by"))
    did = by.get("did")
    uri = text(reason.get("uri")) or f"{original.platform_id}#repost:{did}"
    handle = by.get("handle")
    who = original.author_handle or original.author_id
    return Post(
        platform=PLATFORM, platform_id=uri, author_id=did, author_handle=handle,
        author_name=by.get("displayName") or None,
        created_at=parse_time(reason.get("indexedAt"), PLATFORM, account, "feed[].reason.indexedAt"),
        text=f"RT @{who}: {original.text}", url=original.url, kind="repost",
        parent_id=original.platform_id, conversation_id=original.conversation_id, raw=item,
    )


def _thread_page(thread: Any, account: AccountRef) -> Page:
    if not isinstance(thread, dict):
        raise malformed(PLATFORM, account, "`thread` is not an object")
    kind = thread.get("$type")
    if kind == _NOT_FOUND or thread.get("notFound") is True:
        return Page([], account_id=account.platform_id, gone_ids=[str(thread["uri"])] if thread.get("uri") else [])
    if kind == _BLOCKED or thread.get("blocked") is True:
        return Page([], account_id=account.platform_id)
    posts: dict[str, Post] = {}
    gone: list[str] = []
    _walk(thread, account, posts, gone)
    parent = thread.get("parent")
    while isinstance(parent, dict) and _is_post_view(parent.get("post")):  # ancestors, when asked for
        post = _post(parent["post"], account)
        posts.setdefault(post.platform_id, post)
        parent = parent.get("parent")
    views = [thread.get("post")] if _is_post_view(thread.get("post")) else []
    return Page(list(posts.values()), account_id=_feed_did(views, account), gone_ids=gone)


def _walk(node: dict[str, Any], account: AccountRef, posts: dict[str, Post], gone: list[str]) -> None:
    if node.get("$type") == _NOT_FOUND or node.get("notFound") is True:
        if node.get("uri"):
            gone.append(str(node["uri"]))
        return
    if not _is_post_view(node.get("post")):
        return  # blocked or otherwise hidden: nothing to keep
    post = _post(node["post"], account)
    posts.setdefault(post.platform_id, post)
    for reply in node.get("replies") or []:
        if isinstance(reply, dict):
            _walk(reply, account, posts, gone)


def _post(view: dict[str, Any], account: AccountRef) -> Post:
    uri = view["uri"]
    author = view["author"]
    record = obj(view.get("record"))
    reply = obj(record.get("reply"))
    parent = _ref_uri(reply.get("parent"))
    root = _ref_uri(reply.get("root"))
    quoted = _quoted(record.get("embed"))
    kind: PostKind = "reply" if reply else ("quote" if quoted else "post")
    did = author.get("did")
    handle = author.get("handle")
    created = record.get("createdAt") or view.get("indexedAt")
    return Post(
        platform=PLATFORM, platform_id=uri, author_id=did, author_handle=handle,
        author_name=author.get("displayName") or None,
        created_at=parse_time(created, PLATFORM, account, "post.record.createdAt"),
        text=text(record.get("text")) or "",
        url=f"https://bsky.app/profile/{handle or did}/post/{rkey(uri)}",
        kind=kind, parent_id=parent or quoted, conversation_id=root or uri, raw=view,
    )


def _quoted(embed: Any) -> str | None:
    if not isinstance(embed, dict) or embed.get("$type") not in _QUOTES:
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and embed.get("$type") == "app.bsky.embed.recordWithMedia":
        inner = inner.get("record")
    return _ref_uri(inner)


def _ref_uri(ref: Any) -> str | None:
    return ref["uri"] if isinstance(ref, dict) and isinstance(ref.get("uri"), str) else None


def _sort_time(item: dict[str, Any]) -> datetime | None:
    try:
        if _reason_type(item) == _REPOST:
            return parse_iso(item["reason"].get("indexedAt"))
        view = item["post"]
        times = [parse_iso(v) for v in ((view.get("record") or {}).get("createdAt"), view.get("indexedAt")) if v]
        return min(times) if times else None
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _reason_type(item: dict[str, Any]) -> str | None:
    reason = item.get("reason")
    return reason.get("$type") if isinstance(reason, dict) else None


def _is_post_view(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("uri"), str) and isinstance(value.get("author"), dict)
            and "record" in value)


def _feed_did(views: list[Any], account: AccountRef) -> str | None:
    if account.platform_id:
        return account.platform_id
    for view in views:
        author = view.get("author") if isinstance(view, dict) else None
        if isinstance(author, dict) and _is_feed(author, account):
            return str(author["did"])
    return None


def _is_feed(actor: dict[str, Any], account: AccountRef) -> bool:
    if account.platform_id:
        return actor.get("did") == account.platform_id
    wanted = account.handle.lstrip("@").lower()
    return wanted in (str(actor.get("handle", "")).lower(), str(actor.get("did", "")).lower())


def _dedupe(posts: Any) -> list[Post]:
    seen: dict[str, Post] = {}
    for post in posts:
        seen.setdefault(post.platform_id, post)
    return list(seen.values())
