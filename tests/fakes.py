"""Small builders for records, shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.records import Page, Post

HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> zero\u200bwidth\u200d joiner '
    "\U0001F44D\U0001F3FD \U0001F1E8\U0001F1E6 \u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd "
    "\u202eevil\u202c & \"quotes\" 'single'"
)


def post(platform_id: str, text: str = "Hello Leduc", *, author_id: str = "2222", kind: str = "post",
         at: datetime | None = None, parent_id: str | None = None, **extra: Any) -> Post:
    return Post(
        platform="x", platform_id=platform_id, author_id=author_id, author_handle=extra.pop("handle", None),
        author_name=None, created_at=at or datetime(2026, 11, 17, 16, 0, tzinfo=UTC), text=text,
        url=f"https://x.com/i/web/status/{platform_id}", kind=kind, parent_id=parent_id,
        conversation_id=extra.pop("conversation_id", None), raw={"id": platform_id, "text": text, **extra},
    )


def page(*posts: Post, newest: str | None = None) -> Page:
    return Page(list(posts), newest_id=newest or (max((p.platform_id for p in posts), key=int) if posts else None))
