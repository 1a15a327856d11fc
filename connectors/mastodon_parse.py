"""Pure parsing of Mastodon REST bodies into `Page`s, and the HTML-to-text rendering.

Reads GET /api/v1/accounts/:id/statuses (a JSON array of statuses), /api/v1/statuses/:id (one
status), /api/v1/statuses/:id/context (`ancestors`, `descendants`) and an account object
(/api/v1/accounts/lookup, /api/v1/accounts/:id). No I/O.

A status's `content` is HTML. `Post.raw` keeps the status exactly as received (HTML and all);
`Post.text` is a faithful plain-text rendering: tags dropped, entities unescaped, line breaks
kept from <br> and paragraph ends, link text kept whole (Mastodon hides the middle of long
links in `invisible` spans; their text is part of the link and is kept). A content warning
(`spoiler_text`) is the author's words too: it comes first, on its own paragraph.

A boost (`reblog` set) is the feed account's repost (its own id, `parent_id` the boosted status)
and the boosted status itself is kept as that author's post, as for X retweets; the repost's
text is "RT @acct: …", the boosted words.

Cursor: only the account's status lists set `Page.newest_id` (the largest status id, compared
by value). Replies in a context, and single statuses looked up again, never move it: a
resident's reply is newer than statuses the account may post before the next cycle.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from auditor.records import AccountRef, Page, Post, PostKind
from connectors.errors import ConnectorError, NotFound, PlatformError, RateLimited
from connectors.fields import malformed, parse_time, require_list
from connectors.robust import guarded

PLATFORM = "mastodon"
_BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
_HIDDEN = {"script", "style", "template"}


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self._break(2 if tag in ("p", "blockquote", "pre") else 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self._break(2 if tag in ("p", "blockquote", "pre") else 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    def _break(self, newlines: int) -> None:
        if self.parts:
            self.parts.append("\n" * newlines)

    def text(self) -> str:
        text = "".join(self.parts)
        text = re.sub(r"[ \t]+\n", "\n", text)  # whitespace left before a break by the markup
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (Mastodon `content`, YouTube `textDisplay`), faithfully:
    words and their order unchanged, entities unescaped, breaks from <br> and paragraphs."""
    if "<" not in html and "&" not in html:
        return html
    renderer = _TextRenderer()
    renderer.feed(html)
    renderer.close()
    return renderer.text()


@guarded(PLATFORM)
def parse_mastodon_page(body: Any, account: AccountRef) -> Page:
    """Parse one Mastodon body (status list, status, context or account)."""
    if isinstance(body, list):
        return _statuses(body, account, feed=True)
    if not isinstance(body, dict):
        raise malformed(PLATFORM, account, f"expected a JSON array or object, got {type(body).__name__}")
    if "error" in body:
        raise _error_body(body, account)
    if "ancestors" in body or "descendants" in body:
        items = (require_list(body.get("ancestors"), PLATFORM, account, "ancestors", optional=True)
                 + require_list(body.get("descendants"), PLATFORM, account, "descendants", optional=True))
        return _statuses(items, account, feed=False)
    if "content" in body and "account" in body:
        return _statuses([body], account, feed=False)
    if "acct" in body and "id" in body:  # an account object: it names the feed account's id
        return Page([], account_id=str(body["id"]) if _is_feed_account(body, account) else account.platform_id)
    raise malformed(PLATFORM, account, "not a Mastodon status list, status, context or account")


def mastodon_profile(body: Any, account: AccountRef) -> str | None:
    """The account's bio (`note`, HTML) as text, when the body is the feed account's object."""
    if isinstance(body, dict) and "acct" in body and isinstance(body.get("note"), str) and \
            _is_feed_account(body, account):
        return html_to_text(body["note"])
    return None


def status_id_key(status_id: str) -> tuple[int, int | str]:
    """Sort key for status ids: Mastodon's are numeric (by value); others (Pleroma's flake ids)
    sort as text after them."""
    return (1, int(status_id)) if status_id.isdigit() else (0, status_id)


def _statuses(items: list[Any], account: AccountRef, *, feed: bool) -> Page:
    feed_id = account.platform_id
    posts: dict[str, Post] = {}
    for status in items:
        if not isinstance(status, dict):
            raise malformed(PLATFORM, account, "a status is not an object")
        feed_id = feed_id or _feed_account_id(status, account)
        for post in _posts(status, account):
            posts.setdefault(post.platform_id, post)
    own = [str(s["id"]) for s in items if feed]
    newest = max(own, key=status_id_key) if own else None
    return Page(list(posts.values()), newest_id=newest, account_id=feed_id)


def _posts(status: dict[str, Any], account: AccountRef) -> list[Post]:
    boosted = status.get("reblog")
    if isinstance(boosted, dict):
        original = _post(boosted, account)
        repost = _post(status, account, kind="repost", parent_id=original.platform_id,
                       text=f"RT @{original.author_handle}: {original.text}",
                       # a boost's `uri` is an ActivityPub activity, not a page: link the boosted status
                       url=status.get("url") or original.url)
        return [repost, original]
    return [_post(status, account)]


def _post(status: dict[str, Any], account: AccountRef, *, kind: PostKind | None = None,
          parent_id: str | None = None, text: str | None = None, url: str | None = None) -> Post:
    sid = status.get("id")
    author = status.get("account")
    if not isinstance(sid, str | int) or not str(sid) or not isinstance(author, dict):
        raise malformed(PLATFORM, account, "a status has no id or no account")
    content = status.get("content")
    if text is None:
        if not isinstance(content, str):
            raise malformed(PLATFORM, account, f"status {sid} has no `content`")
        text = html_to_text(content)
        warning = status.get("spoiler_text")
        if isinstance(warning, str) and warning.strip():
            text = f"{warning}\n\n{text}" if text else warning
    reply_to = status.get("in_reply_to_id")
    quote = status.get("quote")
    quoted = quote.get("quoted_status") if isinstance(quote, dict) else None
    if kind is None:
        kind = "reply" if reply_to else ("quote" if isinstance(quoted, dict) else "post")
    if parent_id is None:
        parent_id = str(reply_to) if reply_to else (str(quoted["id"]) if isinstance(quoted, dict)
                                                     and quoted.get("id") else None)
    edited = status.get("edited_at")
    return Post(
        platform=PLATFORM,
        platform_id=str(sid),
        author_id=str(author["id"]) if author.get("id") is not None else None,
        author_handle=author.get("acct") or author.get("username"),
        author_name=author.get("display_name") or None,
        created_at=parse_time(status.get("created_at"), PLATFORM, account, "created_at"),
        text=text,
        url=url or status.get("url") or status.get("uri"),
        kind=kind,
        parent_id=parent_id,
        updated_at=parse_time(edited, PLATFORM, account, "edited_at") if edited else None,
        raw=status,
    )


def _feed_account_id(status: dict[str, Any], account: AccountRef) -> str | None:
    author = status.get("account")
    if isinstance(author, dict) and author.get("id") is not None and _is_feed_account(author, account):
        return str(author["id"])
    return None


def _is_feed_account(author: dict[str, Any], account: AccountRef) -> bool:
    if account.platform_id:
        return str(author.get("id")) == account.platform_id
    wanted = account.handle.lstrip("@").lower()
    user = wanted.split("@", 1)[0]
    acct = str(author.get("acct", "")).lower()
    return acct == wanted or (acct == user and "@" not in acct) or str(author.get("username", "")).lower() == wanted


def _error_body(body: dict[str, Any], account: AccountRef) -> ConnectorError:
    """A recorded error body ({"error": "…"}): typed by its words, as Mastodon sends no code."""
    message = str(body.get("error"))
    lowered = message.lower()
    if "not found" in lowered or "record not found" in lowered:
        return NotFound(PLATFORM, account.handle, "not-found", f"Mastodon: {message}")
    if "too many requests" in lowered or "throttled" in lowered:
        return RateLimited(PLATFORM, account.handle, "rate-limited", f"Mastodon: {message}")
    return PlatformError(PLATFORM, account.handle, "platform", f"Mastodon: {message}")
