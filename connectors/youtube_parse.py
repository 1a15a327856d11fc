"""Pure parsing of YouTube Data API v3 list bodies into `Page`s.

Reads channels.list (the channel: its id, its uploads playlist, its description),
playlistItems.list (the uploads: one post per video), videos.list (videos looked up again),
commentThreads.list (top-level comments with the replies YouTube includes) and comments.list
(replies by `parentId`, or comments looked up again by `id`). The body's `kind` says which. No I/O.

- A video is a post: its title and description as text, url https://www.youtube.com/watch?v=ID.
- A top-level comment is kind "comment" with the video as parent; a reply is kind "reply" with
  the top-level comment as parent. The author is `authorChannelId.value`: the channel's own
  comments and replies carry the channel's id, which is how they count as the councillor's.
- Comment text is `textOriginal` (what was typed) where the body has it, else `textDisplay`
  rendered from HTML to text (YouTube sends HTML there unless asked for `textFormat=plainText`).
- Cursor: a playlistItems page's `newest_id` is its newest video's publication time in UTC,
  "YYYY-MM-DDTHH:MM:SS+00:00" (the Facebook connector's format: text order is time order).
  Nothing else moves the cursor.
"""

from __future__ import annotations

from typing import Any

from auditor.records import AccountRef, Page, Post
from connectors.errors import AuthError, ConnectorError, NotFound, PlatformError, RateLimited
from connectors.fields import cursor_time, malformed, obj, parse_time, require_list, require_str, text
from connectors.mastodon_parse import html_to_text
from connectors.robust import guarded

PLATFORM = "youtube"
WATCH = "https://www.youtube.com/watch?v="
_KINDS = {  # list kind, and the kind of its items (for bodies trimmed of the top-level `kind`)
    "youtube#channelListResponse": "youtube#channel",
    "youtube#playlistItemListResponse": "youtube#playlistItem",
    "youtube#videoListResponse": "youtube#video",
    "youtube#commentThreadListResponse": "youtube#commentThread",
    "youtube#commentListResponse": "youtube#comment",
}
# Uploads-playlist placeholders for videos that are no longer public: not posts.
_UNAVAILABLE = {"Private video", "Deleted video"}
RATE_REASONS = {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded"}
AUTH_REASONS = {"keyInvalid", "keyExpired", "ipRefererBlocked", "accessNotConfigured", "forbidden",
                "API_KEY_INVALID", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED",
                "SERVICE_DISABLED"}


@guarded(PLATFORM)
def parse_youtube_page(body: Any, account: AccountRef, *, video_id: str | None = None) -> Page:
    """Parse one YouTube list body. `video_id`: the video a comments.list(parentId=…) body is
    about (those items do not say), for the replies' links."""
    if not isinstance(body, dict):
        raise malformed(PLATFORM, account, f"expected a JSON object, got {type(body).__name__}")
    if "error" in body:
        raise youtube_error(body, account)
    items = require_list(body.get("items"), PLATFORM, account, "items", objects=True)
    kind = _KINDS.get(str(body.get("kind"))) or (items[0].get("kind") if items else None)
    cursor = text(body.get("nextPageToken"))
    channel = account.platform_id
    if kind is None and not items:
        return Page([], next_cursor=cursor, account_id=channel)
    if kind == "youtube#channel":
        found = next((str(i["id"]) for i in items if i.get("id")), None)
        return Page([], account_id=channel or found)
    if kind in ("youtube#playlistItem", "youtube#video"):
        posts = [p for item in items if (p := _video(item, account, kind)) is not None]
        channel = channel or next((p.author_id for p in posts if p.author_id), None)
        newest = cursor_time(max(p.created_at for p in posts)) if posts and kind == "youtube#playlistItem" else None
        return Page(posts, next_cursor=cursor, newest_id=newest, account_id=channel)
    if kind == "youtube#commentThread":
        posts = [post for item in items for post in _thread(item, account)]
        return Page(posts, next_cursor=cursor, account_id=channel)
    if kind == "youtube#comment":
        posts = [_comment(item, account, video_id=video_id) for item in items]
        return Page(posts, next_cursor=cursor, account_id=channel)
    raise malformed(PLATFORM, account, f"not a YouTube list this auditor reads (kind {body.get('kind')!r})")


def youtube_profile(body: Any, account: AccountRef) -> str | None:
    """The channel's description, from a channels.list body."""
    if not isinstance(body, dict) or body.get("kind") != "youtube#channelListResponse":
        return None
    for item in body.get("items") or []:
        if isinstance(item, dict) and (not account.platform_id or item.get("id") == account.platform_id):
            return text(obj(item.get("snippet")).get("description"))
    return None


def uploads_playlist(body: Any) -> tuple[str, str] | None:
    """(channel id, uploads playlist id) from a channels.list body, if it has them."""
    items = body.get("items") if isinstance(body, dict) else None
    for item in items if isinstance(items, list) else []:
        playlists = obj(obj(obj(item).get("contentDetails")).get("relatedPlaylists"))
        channel, uploads = text(obj(item).get("id")), text(playlists.get("uploads"))
        if channel is not None and uploads is not None:
            return channel, uploads
    return None


def youtube_error(body: dict[str, Any], account: AccountRef, *, status: int | None = None,
                  key_env: str | None = None) -> ConnectorError:
    """Map a Google API error body ({"error": {"code", "message", "errors": [{"reason"}]}})."""
    who = account.handle
    error = body.get("error")
    if not isinstance(error, dict):
        return malformed(PLATFORM, account, "`error` is not an object")
    code = error.get("code") if isinstance(error.get("code"), int) else status
    reasons = error_reasons(error)
    message = str(error.get("message") or "error")
    detail = f"YouTube error {code} ({', '.join(sorted(reasons)) or error.get('status') or 'no reason'}): {message}"
    key = f"the API key in {key_env}" if key_env else "the API key"
    if reasons & RATE_REASONS or code == 429:
        return RateLimited(PLATFORM, who, "rate-limited", detail)
    if reasons & AUTH_REASONS or code in (401, 403) or "api key" in message.lower():
        return AuthError(PLATFORM, who, "auth", f"{detail}; {key} must be valid, unrestricted for this server, "
                                                "and its Google Cloud project must have YouTube Data API v3 enabled",
                         env=key_env)
    if code == 404:
        return NotFound(PLATFORM, who, "not-found", detail)
    if isinstance(code, int) and code >= 500:
        return PlatformError(PLATFORM, who, "platform", detail)
    return PlatformError(PLATFORM, who, "invalid-request", detail)


def error_reasons(error: dict[str, Any]) -> set[str]:
    """Every `reason` a Google error names, in `errors[]` and in `details[]` (ErrorInfo)."""
    found = {str(e["reason"]) for e in error.get("errors") or [] if isinstance(e, dict) and e.get("reason")}
    found |= {str(d["reason"]) for d in error.get("details") or [] if isinstance(d, dict) and d.get("reason")}
    return found


def _video(item: dict[str, Any], account: AccountRef, kind: str) -> Post | None:
    snippet = item.get("snippet")
    if not isinstance(snippet, dict):
        raise malformed(PLATFORM, account, "a video has no `snippet`")
    details = obj(item.get("contentDetails"))
    if kind == "youtube#playlistItem":
        vid = obj(snippet.get("resourceId")).get("videoId") or details.get("videoId")
        published = details.get("videoPublishedAt")
        if published is None and snippet.get("title") in _UNAVAILABLE:
            return None
        published = published or snippet.get("publishedAt")
        owner = snippet.get("videoOwnerChannelId") or snippet.get("channelId")
    else:
        vid, published, owner = item.get("id"), snippet.get("publishedAt"), snippet.get("channelId")
    vid = require_str(vid, PLATFORM, account, "items[].id")
    title = text(snippet.get("title")) or ""
    description = text(snippet.get("description")) or ""
    ours = owner is not None and owner == (account.platform_id or owner)
    return Post(
        platform=PLATFORM, platform_id=vid, author_id=owner,
        author_handle=account.handle.lstrip("@") if ours else None,
        author_name=snippet.get("videoOwnerChannelTitle") or snippet.get("channelTitle"),
        created_at=parse_time(published, PLATFORM, account, "publishedAt"),
        text=f"{title}\n\n{description}" if description else title,
        url=f"{WATCH}{vid}", kind="post", conversation_id=vid, raw=item,
    )


def _thread(item: dict[str, Any], account: AccountRef) -> list[Post]:
    snippet = obj(item.get("snippet"))
    top = snippet.get("topLevelComment")
    if not isinstance(top, dict):
        raise malformed(PLATFORM, account, "a comment thread has no `topLevelComment`")
    video = snippet.get("videoId") or obj(top.get("snippet")).get("videoId")
    posts = [_comment(top, account, video_id=video)]
    for reply in obj(item.get("replies")).get("comments") or []:
        if isinstance(reply, dict):
            posts.append(_comment(reply, account, video_id=video, parent=posts[0].platform_id))
    return posts


def _comment(item: dict[str, Any], account: AccountRef, *, video_id: str | None,
             parent: str | None = None) -> Post:
    cid = item.get("id")
    snippet = item.get("snippet")
    if not isinstance(cid, str) or not cid or not isinstance(snippet, dict):
        raise malformed(PLATFORM, account, "a comment has no id or no snippet")
    video = snippet.get("videoId") or video_id
    parent = snippet.get("parentId") or parent
    author = snippet.get("authorChannelId")
    author_id = author.get("value") if isinstance(author, dict) else (author if isinstance(author, str) else None)
    name = text(snippet.get("authorDisplayName"))
    ours = author_id is not None and author_id == account.platform_id
    original = text(snippet.get("textOriginal"))
    said = original if original is not None else html_to_text(str(snippet.get("textDisplay") or ""))
    published = parse_time(snippet.get("publishedAt"), PLATFORM, account, "snippet.publishedAt")
    edited = snippet.get("updatedAt")
    updated = parse_time(edited, PLATFORM, account, "snippet.updatedAt") if edited else None
    return Post(
        platform=PLATFORM, platform_id=cid, author_id=author_id,
        # Display names are "@handle" on current channels: the handle, where it is one.
        author_handle=account.handle.lstrip("@") if ours else (name[1:] if name and name.startswith("@") else None),
        author_name=name, created_at=published, text=said,
        url=f"{WATCH}{video}&lc={cid}" if video else None,
        kind="reply" if parent else "comment",
        parent_id=parent or video, conversation_id=video,
        updated_at=updated if updated and updated != published else None,
        raw=item,
    )
