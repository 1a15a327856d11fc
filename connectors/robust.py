"""Hostile bodies: the limits every decoded body is held to, and the guard around every page parser.

A platform body is untrusted input. Whatever its shape, parsing it either gives a `Page` whose
posts hold only text where text belongs, or raises that account's `MalformedBody` with the reason;
never a TypeError, a RecursionError or a string the database cannot store.

Limits (stated in docs/evidence.md too):
- `MAX_DEPTH`: a decoded body nested deeper than 64 arrays/objects is refused (real platform
  bodies nest about 10 deep; Python's JSON decoder itself gives up near 1,000);
- `MAX_BODY_CHARS`: a body longer than 256 Mi characters is refused before it is decoded;
- lone UTF-16 surrogates (`"\\ud800"` in the JSON) are kept in the raw body, which is stored as
  received, and replaced by U+FFFD in every text derived from it (a post's text, names, links):
  no database encodes them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, TypeVar

from auditor.records import AccountRef, Page, Post
from connectors.errors import ConnectorError, MalformedBody

MAX_DEPTH = 64
MAX_BODY_CHARS = 256 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a parser raises on a body of an unexpected shape (an int where a dict was, a list
# where a string was…): turned into the account's `malformed` error, never a crash.
SHAPE_ERRORS: tuple[type[Exception], ...] = (
    TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError, OverflowError, UnicodeError,
)
_OPTIONAL_TEXT = ("author_id", "author_handle", "author_name", "url", "parent_id", "conversation_id")

P = TypeVar("P", bound=Callable[..., Page])


def clean_text(value: str) -> str:
    """`value` with every lone surrogate replaced by U+FFFD (for derived text, never raw bodies)."""
    return _SURROGATE.sub("\ufffd", value)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a decoded body nests more than `limit` arrays/objects (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def decode_body(content: str, platform: str, handle: str, what: str = "the body") -> Any:
    """Decode a body's JSON within the limits; `MalformedBody` saying why otherwise."""
    if len(content) > MAX_BODY_CHARS:
        raise MalformedBody(platform, handle, "malformed",
                            f"{what} is {len(content):,} characters long, over the limit of {MAX_BODY_CHARS:,}")
    try:
        body = json.loads(content)
    except RecursionError:
        raise MalformedBody(platform, handle, "malformed",
                            f"{what} is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise MalformedBody(platform, handle, "malformed", f"{what} is not JSON ({exc})") from None
    if too_deep(body):
        raise MalformedBody(platform, handle, "malformed", f"{what} is nested deeper than {MAX_DEPTH} levels")
    return body


def shape_error(platform: str, handle: str, exc: BaseException) -> MalformedBody:
    """The account's `malformed` error for a parser that met a shape it does not expect."""
    detail = clean_text(str(exc))[:200]
    return MalformedBody(platform, handle, "malformed",
                         f"the body has an unexpected shape ({type(exc).__name__}: {detail})")


def guarded(platform: str) -> Callable[[P], P]:
    """Decorate a page parser `(body, account, ...) -> Page`: depth checked before, shape errors
    turned into `MalformedBody`, and the page's posts checked and cleaned after (`checked_page`)."""

    def decorate(parse: P) -> P:
        @functools.wraps(parse)
        def wrapper(body: Any, account: AccountRef, *args: Any, **kwargs: Any) -> Page:
            if too_deep(body):
                raise MalformedBody(platform, account.handle, "malformed",
                                    f"the body is nested deeper than {MAX_DEPTH} levels")
            try:
                page = parse(body, account, *args, **kwargs)
                return checked_page(page, platform, account)
            except ConnectorError:
                raise
            except SHAPE_ERRORS as exc:
                raise shape_error(platform, account.handle, exc) from None

        return wrapper  # type: ignore[return-value]

    return decorate


def checked_page(page: Page, platform: str, account: AccountRef) -> Page:
    """The page with every post's fields of the type the archive stores and lone surrogates
    replaced; `MalformedBody` naming the post and the field otherwise."""
    posts = [_checked_post(post, platform, account) for post in page.posts]
    for name in ("next_cursor", "newest_id", "account_id"):
        value = getattr(page, name)
        if value is not None and not isinstance(value, str):
            raise MalformedBody(platform, account.handle, "malformed",
                                f"the page's {name} is {type(value).__name__}, not text")
    if not all(isinstance(v, str) for v in [*page.errors, *page.gone_ids]):
        raise MalformedBody(platform, account.handle, "malformed", "the page's error list is not text")
    return replace(page, posts=posts, errors=[clean_text(e) for e in page.errors],
                   gone_ids=[clean_text(g) for g in page.gone_ids],
                   next_cursor=_clean(page.next_cursor), newest_id=_clean(page.newest_id),
                   account_id=_clean(page.account_id))


def _checked_post(post: Post, platform: str, account: AccountRef) -> Post:
    def bad(field: str, value: Any) -> MalformedBody:
        who = clean_text(post.platform_id)[:60] if isinstance(post.platform_id, str) else "?"
        return MalformedBody(platform, account.handle, "malformed",
                             f"post {who}: its {field} is {type(value).__name__}, not text")

    if not isinstance(post.platform_id, str) or not post.platform_id:
        raise bad("id", post.platform_id)
    if not isinstance(post.text, str):
        raise bad("text", post.text)
    for name in _OPTIONAL_TEXT:
        value = getattr(post, name)
        if value is not None and not isinstance(value, str):
            raise bad(name.replace("_", " "), value)
    for name in ("created_at", "updated_at"):
        value = getattr(post, name)
        if not (isinstance(value, datetime) or (value is None and name == "updated_at")):
            raise MalformedBody(platform, account.handle, "malformed",
                                f"post {post.platform_id[:60]}: its {name.replace('_', ' ')} is not a time")
    changes: dict[str, Any] = {f.name: clean_text(v) for f in fields(post)
               if isinstance(v := getattr(post, f.name), str) and _SURROGATE.search(v)}
    return replace(post, **changes) if changes else post


def _clean(value: str | None) -> str | None:
    return clean_text(value) if value is not None else None
