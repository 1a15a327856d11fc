"""Live Facebook connector: a Page's posts with their comments and replies, via the Graph API.

Cursor: Graph post ids are not ordered, so this connector's cursor is a time. Each returned
`Page.newest_id` is the newest top-level post's `created_time` in UTC, written
"YYYY-MM-DDTHH:MM:SS+00:00"; in that one fixed format text order is time order, which is how
the store compares non-numeric cursors. The next cycle sends `since=<that time in Unix
seconds>`. `since` includes that second, so the newest post (and its newest comments) is read
again; the store recognises it. Comments added later to posts older than the cursor are not
re-read by this pull.

Paging: `paging.next` is followed here, not with facebook-sdk's `get_all_connections`, which
raises KeyError when the next URL carries no `access_token` (Graph omits it in some answers).

Errors: facebook-sdk raises `GraphAPIError` from the JSON body whatever the HTTP status (Graph
throttles with HTTP 400/403 and codes 4/17/32/613, not 429); `graph_error` classifies by code.

Deletions: the ids of the account's recent archived posts and comments (`known`) are asked about
with the multi-id lookup GET /?ids=a,b,c&fields=id, 50 ids a request. Ids missing from the answer
are gone. Graph fails the whole lookup when one id no longer exists (code 100/subcode 33, or 803
"Some of the aliases you requested do not exist"), so such a batch is asked again one id at a
time, and the ids answering 100/33 are the gone ones. Graph uses 100/33 for objects the token
cannot see, too; for the Page's own posts read with its own token that means removed or hidden.
The check is best effort: throttled or failing, it is skipped for this cycle and the posts read
are kept (see `connectors.http.skipped`).

Evidence: every response body is kept in `Pull.bodies` (and on its `Page.source`). Graph echoes
the access token inside `paging.next` URLs in bodies: that value, and only that, is replaced by
"[redacted]"; the request line is kept without its `access_token` parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import facebook

from auditor.records import AccountRef, Page
from connectors.base import Pull
from connectors.errors import AuthError, ConnectorError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.facebook_parse import graph_error, parse_facebook_page
from connectors.fields import cursor_time, time_cursor
from connectors.http import (
    DEFAULT_TIMEOUT,
    BodyRecorder,
    chunks,
    gone_page,
    missing_secret,
    skipped,
    transport_errors,
)

if TYPE_CHECKING:
    from auditor.config.settings import Settings

PLATFORM = "facebook"
_COMMENT = "id,message,created_time,from,parent,permalink_url"
POST_FIELDS = ("id,message,story,created_time,updated_time,permalink_url,from,status_type,"
               f"comments.limit(100){{{_COMMENT},comments.limit(100){{{_COMMENT}}}}}")
TOKEN_HELP = "a Page access token with pages_read_engagement and pages_read_user_content"
LOOKUP_BATCH = 50  # Graph's limit on ids per multi-id lookup
_GRAPH_ID = re.compile(r"\d+(_\d+)?")  # page/post/comment ids; not the parser's synthetic_… ids


@dataclass(frozen=True)
class Token:
    """An access token and the environment variable it came from (named in errors, never the value)."""

    env: str
    value: str | None

    def require(self, handle: str) -> str:
        """The token's value; AuthError naming its variable when it is not set."""
        if not self.value:
            raise missing_secret(PLATFORM, handle, self.env, TOKEN_HELP)
        return self.value


class FacebookConnector:
    platform = PLATFORM

    def __init__(self, graph: facebook.GraphAPI, *, max_pages: int = 5, token_env: str = "FACEBOOK_TOKEN",
                 account_tokens: Mapping[str, Token] | None = None):
        """`graph.access_token` is the default token, from `token_env`; `account_tokens` maps a
        lower-cased handle to a Page token of its own."""
        self.graph = graph
        self.max_pages = max_pages
        self.default = Token(token_env, graph.access_token)
        self.account_tokens = dict(account_tokens or {})
        self._ids: dict[str, tuple[str, str | None]] = {}  # handle -> (page id, about)
        # Every body received, for the archive. facebook-sdk hides the HTTP status: the recorder
        # also remembers it (a non-JSON 5xx is a server error, not a malformed body).
        tokens = [self.default.value, *(t.value for t in self.account_tokens.values())]
        self.recorder = BodyRecorder(tokens).attach(graph.session)

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        token = self.account_tokens.get(account.handle.lower(), self.default)
        value = token.require(account.handle)
        with self.recorder.recording() as raw, self._errors(account.handle, token.env):
            page_id, about = self._page_id(account, value)
            ref = AccountRef(account.platform, account.handle, page_id)
            args: dict[str, Any] = {"fields": POST_FIELDS, "limit": 100, "access_token": value}
            if (since := time_cursor(cursor)) is not None:  # anything else: read from the newest back
                args["since"] = int(since.timestamp())
            body = self.graph.get_connections(page_id, "posts", **args)
            pages = [self._posts_page(body, ref)]
            while len(pages) < self.max_pages and (url := _next_url(body)):
                body = self._follow(url, value, account)
                pages.append(self._posts_page(body, ref))
            try:
                with self._errors(account.handle, token.env):
                    pages += self._gone(ref, known, value)
            except (RateLimited, PlatformError, NotFound) as exc:
                pages.append(skipped("the deletion check", exc))
        return Pull(pages, about, len(raw), list(raw))

    def _posts_page(self, body: Any, ref: AccountRef) -> Page:
        # Parsed from the body as recorded, tokens redacted: Graph echoes the token in nested
        # `comments.paging.next`, which would otherwise reach each post's stored `raw`.
        recorded, source = self.recorder.decoded(PLATFORM, ref.handle) if self.recorder.last else (body, None)
        return replace(_with_time_cursor(parse_facebook_page(recorded, ref, kind_hint="posts")), source=source)

    def _gone(self, ref: AccountRef, known: Sequence[str], token: str) -> list[Page]:
        """Ask Graph about the archived ids; the ones it no longer has are `gone_ids`."""
        pages = []
        for batch in chunks([i for i in dict.fromkeys(known) if _GRAPH_ID.fullmatch(i)], LOOKUP_BATCH):
            try:
                found = self.graph.get_objects(batch, fields="id", access_token=token)
            except facebook.GraphAPIError as exc:
                if not _does_not_exist(exc):
                    raise
                pages.append(self._gone_one_by_one(ref, batch, token))
                continue
            if not isinstance(found, dict):
                raise MalformedBody(PLATFORM, ref.handle, "malformed", "the multi-id lookup did not answer an object")
            pages.append(gone_page(ref.platform_id, [i for i in batch if i not in found], self.recorder.last))
        return pages

    def _gone_one_by_one(self, ref: AccountRef, batch: list[str], token: str) -> Page:
        gone = []
        for object_id in batch:
            try:
                self.graph.get_object(object_id, fields="id", access_token=token)
            except facebook.GraphAPIError as exc:
                if not _does_not_exist(exc):
                    raise
                gone.append(object_id)
        return gone_page(ref.platform_id, gone, self.recorder.last)

    def check(self, account: AccountRef) -> str:
        token = self.account_tokens.get(account.handle.lower(), self.default)
        value = token.require(account.handle)
        with self._errors(account.handle, token.env):
            # Always asked, even for a configured id: this is what proves the token can read the Page.
            page = self.graph.get_object(account.platform_id or account.handle, fields="id,name", access_token=value)
        page_id = page.get("id") if isinstance(page, dict) else None
        if not isinstance(page_id, str):
            raise MalformedBody(PLATFORM, account.handle, "malformed", "the Page lookup returned no id")
        return page_id

    def _page_id(self, account: AccountRef, token: str) -> tuple[str, str | None]:
        if account.platform_id:
            return account.platform_id, None
        key = account.handle.lower()
        if key not in self._ids:
            page = self.graph.get_object(account.handle, fields="id,name,about", access_token=token)
            if not isinstance(page, dict) or not isinstance(page.get("id"), str):
                raise MalformedBody(PLATFORM, account.handle, "malformed", "the Page lookup returned no id")
            about = page.get("about")
            self._ids[key] = (page["id"], about if isinstance(about, str) else None)
        return self._ids[key]

    def _follow(self, url: str, token: str, account: AccountRef) -> Any:
        """GET a `paging.next` URL with our token, whether or not Graph put one in it."""
        if not url.startswith(facebook.FACEBOOK_GRAPH_URL):
            raise MalformedBody(PLATFORM, account.handle, "malformed",
                                "paging.next points outside the Graph API; not sending the token there")
        base, _, query = url.partition("?")
        # Keep Graph's own encoding of the other parameters; replace any token it echoed.
        kept = [p for p in query.split("&") if p and p.split("=", 1)[0] != "access_token"]
        target = f"{base}?{'&'.join(kept)}" if kept else base
        response = self.graph.session.get(target, params={"access_token": token},
                                          timeout=self.graph.timeout, proxies=self.graph.proxies)
        body = response.json()  # not JSON: JSONDecodeError, mapped in _errors
        if isinstance(body, dict) and body.get("error"):
            raise facebook.GraphAPIError(body)  # the same path as the SDK's own requests
        if response.status_code >= 500:
            raise PlatformError(PLATFORM, account.handle, "platform", f"Graph answered HTTP {response.status_code}")
        return body

    @property
    def _status(self) -> int | None:
        """The HTTP status of the last response, which facebook-sdk does not expose."""
        return self.recorder.last_status

    @contextmanager
    def _errors(self, handle: str, env: str) -> Iterator[None]:
        self.recorder.last_status = None
        try:
            with transport_errors(PLATFORM, handle):
                yield
        except facebook.GraphAPIError as exc:
            raise self._graph_error(exc, handle, env) from None
        except MalformedBody:
            if self._status is not None and self._status >= 500:  # an HTML error page from a proxy
                raise PlatformError(PLATFORM, handle, "platform", f"Graph answered HTTP {self._status}") from None
            raise

    def _graph_error(self, exc: facebook.GraphAPIError, handle: str, env: str) -> ConnectorError:
        result = exc.result
        if isinstance(result, dict) and "error" in result:
            error = graph_error(result["error"], AccountRef(PLATFORM, handle))
            if isinstance(error, AuthError):
                return AuthError(PLATFORM, handle, error.kind, f"{error.message} (token from {env})", env=env)
            return error
        if self._status is not None and self._status >= 500:
            return PlatformError(PLATFORM, handle, "platform", f"Graph answered HTTP {self._status}")
        # facebook-sdk's own complaint, e.g. "Maintype was not text, image, or querystring" for HTML.
        return MalformedBody(PLATFORM, handle, "malformed", f"the Graph response is not JSON ({exc})")


def _does_not_exist(exc: facebook.GraphAPIError) -> bool:
    """Graph's answer for an id that no longer exists: 100/33, or 803 in a multi-id lookup."""
    error = exc.result.get("error") if isinstance(exc.result, dict) else None
    if not isinstance(error, dict):
        return False
    code, sub = error.get("code"), error.get("error_subcode")
    return (code == 100 and (sub == 33 or "does not exist" in str(error.get("message", "")).lower())) or code == 803


def _with_time_cursor(page: Page) -> Page:
    times = [p.created_at for p in page.posts if p.parent_id is None]  # top-level posts only
    return replace(page, newest_id=cursor_time(max(times)) if times else None)


def _next_url(body: Any) -> str | None:
    paging = body.get("paging") if isinstance(body, dict) else None
    url = paging.get("next") if isinstance(paging, dict) else None
    return url if isinstance(url, str) and url else None


def make_facebook(settings: Settings, env: Mapping[str, str]) -> FacebookConnector:
    """The live Facebook connector: the platform token, plus each account's own `token_env`."""
    access = settings.platforms.facebook
    own = {a.handle.lower(): Token(a.token_env, env.get(a.token_env) or None)
           for a, _ in settings.accounts() if a.platform == PLATFORM and a.token_env}
    default = env.get(access.token_env) or None
    if default is None and not any(t.value for t in own.values()):
        raise missing_secret(PLATFORM, "*", access.token_env, TOKEN_HELP)
    graph = facebook.GraphAPI(access_token=default, timeout=DEFAULT_TIMEOUT)
    # facebook-sdk 3.1.0 only accepts versions up to 3.1 in its constructor; the attribute is the
    # path prefix ("v23.0" -> https://graph.facebook.com/v23.0/...).
    version = access.graph_version
    graph.version = version if version.startswith("v") else f"v{version}"
    return FacebookConnector(graph, token_env=access.token_env, account_tokens=own)
