"""Live Bluesky connector: one account's posts, reposts and replies, and the replies residents
leave under them, from the public AppView with no login.

Reads, through the `atproto` client pointed at https://public.api.bsky.app/xrpc:
- app.bsky.actor.getProfile: the account's DID (the id the archive keys it by) and description;
- app.bsky.feed.getAuthorFeed: posts, replies (with the posts they answer) and reposts,
  `limit=100`, following `cursor` for at most `max_pages` pages;
- app.bsky.feed.getPosts for the account's recent archived posts (`known`, 25 URIs a request):
  a URI missing from the answer was deleted (`Page.gone_ids`);
- app.bsky.feed.getPostThread for the account's recent posts that have replies (newest first, at
  most `max_threads` a cycle): residents' replies, as kind "reply" with their parent. A thread
  whose root is a notFoundPost, or that answers 400 NotFound, is a deleted post.

Cursor: a time, as for Facebook. Each feed page's `newest_id` is its newest item's time in UTC
("YYYY-MM-DDTHH:MM:SS+00:00", text order is time order; pinned posts never count). The AppView's
own `cursor` is only used within one pull. Paging stops at the first page reaching back to the
saved time, so the newest known item is read again (the store recognises it); more than
`max_pages` x 100 items between two cycles leaves the oldest of them unread.

Rate limits: the AppView answers 429 with `ratelimit-reset` (Unix seconds): `RateLimited` with
that time. Nothing here sleeps or retries. Deletion checks and threads are best effort: limited
or failing, they are skipped this cycle and what was read is kept (`connectors.http.skipped`).

Requests go through the SDK's typed parameter models (what is sent is checked against the
lexicon); answers are read from the body as received by `bluesky_parse`, which tolerates fields
the installed SDK does not know yet instead of failing the account.

Evidence: every response body, exactly as received, in `Pull.bodies` and on `Page.source`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    BadRequestError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
)
from atproto_client.models.common import XrpcError
from atproto_client.request import Request

from auditor.records import AccountRef, Page, Post, RawBody
from connectors.base import Pull
from connectors.bluesky_parse import (
    bluesky_profile,
    feed_times,
    is_post_uri,
    parse_bluesky_page,
    xrpc_error,
)
from connectors.errors import ConnectorError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.fields import cursor_time, reset_time, time_cursor
from connectors.http import (
    DEFAULT_TIMEOUT,
    BodyRecorder,
    Clock,
    chunks,
    gone_page,
    rate_limited,
    skipped,
    utcnow,
    with_replies,
)

if TYPE_CHECKING:
    from auditor.config.settings import Settings

PLATFORM = "bluesky"
APPVIEW = "https://public.api.bsky.app/xrpc"
LOOKUP_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 URIs


def appview_client(recorder: BodyRecorder, base_url: str = APPVIEW, timeout: float = DEFAULT_TIMEOUT) -> Client:
    """An anonymous atproto client whose every response body goes to `recorder`."""

    def keep(response: httpx.Response) -> None:
        response.read()  # a response hook sees the body before atproto decodes it
        recorder.add(response.request.method, str(response.request.url), response.content,
                     response.status_code, response.headers.items())

    return Client(base_url=base_url, request=Request(timeout=timeout, event_hooks={"response": [keep]}))


class BlueskyConnector:
    platform = PLATFORM

    def __init__(self, client: Client, recorder: BodyRecorder, *, max_pages: int = 5, max_threads: int = 10,
                 clock: Clock = utcnow):
        self.client = client
        self.recorder = recorder
        self.max_pages = max_pages
        self.max_threads = max_threads
        self.clock = clock

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        with self.recorder.recording() as raw, self._errors(account.handle):
            did, profile = self._profile(account)
            ref = AccountRef(account.platform, account.handle, did)
            since = _since(cursor)
            pages: list[Page] = []
            page_cursor: str | None = None
            while len(pages) < self.max_pages:
                self._query("app.bsky.feed.getAuthorFeed",
                            models.AppBskyFeedGetAuthorFeed.Params(actor=did, limit=100, cursor=page_cursor))
                body, source = self._last(account)
                pages.append(replace(parse_bluesky_page(body, ref), source=source))
                times = feed_times(body)
                page_cursor = pages[-1].next_cursor
                if not page_cursor or not times or (since is not None and min(times) <= since):
                    break
            views = [p for page in pages for p in page.posts]
            try:
                with self._errors(account.handle):
                    checked = self._gone(ref, known)
                    pages += checked
                    views += [p for page in checked for p in page.posts]
                    pages += self._threads(ref, views)
            except (RateLimited, PlatformError, NotFound) as exc:
                pages.append(skipped("the deletion and reply check", exc))
        return Pull(pages, profile, len(raw), list(raw))

    def check(self, account: AccountRef) -> str:
        with self.recorder.recording(), self._errors(account.handle):
            return self._profile(account)[0]

    def _profile(self, account: AccountRef) -> tuple[str, str | None]:
        actor = account.platform_id or account.handle.lstrip("@")
        self._query("app.bsky.actor.getProfile", models.AppBskyActorGetProfile.Params(actor=actor))
        body, _ = self._last(account)
        did = body.get("did") if isinstance(body, dict) else None
        if not isinstance(did, str) or not did.startswith("did:"):
            raise MalformedBody(PLATFORM, account.handle, "malformed", "the profile has no DID")
        return did, bluesky_profile(body, AccountRef(PLATFORM, account.handle, did))

    def _gone(self, ref: AccountRef, known: Sequence[str]) -> list[Page]:
        """getPosts for the archived URIs of the account's own posts; missing ones are gone."""
        mine = f"at://{ref.platform_id}/"
        uris = [u for u in dict.fromkeys(known) if is_post_uri(u) and u.startswith(mine)]
        pages = []
        for batch in chunks(uris, LOOKUP_BATCH):
            self._query("app.bsky.feed.getPosts", models.AppBskyFeedGetPosts.Params(uris=batch))
            body, source = self._last(ref)
            page = parse_bluesky_page(body, ref)
            answered = {p.platform_id for p in page.posts}
            pages.append(replace(page, gone_ids=[u for u in batch if u not in answered], source=source))
        return pages

    def _threads(self, ref: AccountRef, posts: list[Post]) -> list[Page]:
        """Threads under the account's newest posts that have replies."""
        candidates = with_replies(posts, ref.platform_id, "replyCount")
        newest = sorted(candidates, key=lambda p: p.created_at, reverse=True)[: self.max_threads]
        pages = []
        for post in newest:
            try:
                self._query("app.bsky.feed.getPostThread",
                            models.AppBskyFeedGetPostThread.Params(uri=post.platform_id, depth=10, parent_height=0))
            except BadRequestError as exc:
                if _xrpc(exc).get("error") != "NotFound":
                    raise
                pages.append(gone_page(ref.platform_id, [post.platform_id], self.recorder.last))
                continue
            body, source = self._last(ref)
            pages.append(replace(parse_bluesky_page(body, ref), source=source))
        return pages

    def _query(self, nsid: str, params: Any) -> None:
        """One XRPC query; its body is read back from the recorder (see `_last`)."""
        self.client.invoke_query(nsid, params=params)

    def _last(self, account: AccountRef) -> tuple[Any, RawBody | None]:
        return self.recorder.decoded(PLATFORM, account.handle)

    @contextmanager
    def _errors(self, handle: str) -> Iterator[None]:
        who = AccountRef(PLATFORM, handle)
        try:
            yield
        except ConnectorError:
            raise
        except RateLimitExceededError as exc:
            headers = exc.response.headers if exc.response is not None else {}
            raise rate_limited(PLATFORM, handle, "Bluesky AppView", reset_time(headers.get("ratelimit-reset")),
                               self.clock()) from None
        except NetworkError as exc:  # transport failures, and 502/409/413
            status = exc.response.status_code if exc.response is not None else None
            kind = "unreachable" if status is None else "platform"
            what = f"HTTP {status}" if status else type(exc.__cause__ or exc).__name__
            raise PlatformError(PLATFORM, handle, kind, f"could not read the Bluesky AppView ({what})") from None
        except RequestErrorBase as exc:
            status = exc.response.status_code if exc.response is not None else None
            raise xrpc_error(_xrpc(exc), who, status) from None
        except ModelError as exc:
            raise MalformedBody(PLATFORM, handle, "malformed",
                                f"the AppView answer does not match the lexicon ({str(exc)[:200]})") from None
        except httpx.HTTPError as exc:
            raise PlatformError(PLATFORM, handle, "platform", f"the request failed ({type(exc).__name__})") from None

def _xrpc(exc: RequestErrorBase) -> dict[str, Any]:
    content = exc.response.content if exc.response is not None else None
    if isinstance(content, XrpcError):
        return {"error": content.error, "message": content.message}
    if isinstance(content, dict):
        return content
    return {}


def _since(cursor: str | None) -> datetime | None:
    """The saved time cursor; None (first read) for anything this connector did not write."""
    moment = time_cursor(cursor)
    return moment if moment is not None and cursor_time(moment) == cursor else None


def make_bluesky(settings: Settings, env: Mapping[str, str]) -> BlueskyConnector:
    """The live Bluesky connector: anonymous reads from the public AppView, no secret needed."""
    recorder = BodyRecorder()
    return BlueskyConnector(appview_client(recorder), recorder)

