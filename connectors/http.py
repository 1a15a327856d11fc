"""Pieces shared by the live connectors: a session that cannot hang, one mapping of `requests`
failures to typed connector errors, the recorder that keeps every body received as evidence,
the choice of which archived ids a pull asks the platform about, and the errors every connector
words the same way (a credential not set, a rate limit)."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from auditor.records import Page, Post, RawBody
from auditor.redact import REDACTED, Redactor  # noqa: F401  (REDACTED: re-exported, as before)
from connectors.errors import AuthError, ConnectorError, MalformedBody, PlatformError, RateLimited, scrub

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0  # seconds, connect and read; a scheduled cycle must never wait forever
# Query parameters that carry a credential: dropped from the request line kept with each body.
SECRET_PARAMS = frozenset({"access_token", "appsecret_proof", "client_secret", "key", "api_key"})
T = TypeVar("T")
Clock = Callable[[], datetime]  # injected into connectors, so tests fix "now"


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimeoutSession(requests.Session):
    """A `requests.Session` that applies a timeout when the caller gives none.

    tweepy never passes `timeout=` (and facebook-sdk passes None by default), so without this a
    stalled socket would block the whole pull cycle, not just one account.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        super().__init__()
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


@contextmanager
def transport_errors(platform: str, account: str) -> Iterator[None]:
    """Turn `requests` failures into typed errors. The original exception is not chained: its
    text holds the request URL, which for Graph carries the access token."""
    try:
        yield
    except requests.JSONDecodeError as exc:  # a 2xx whose body is not JSON (an HTML error page)
        raise MalformedBody(platform, account, "malformed",
                            f"the response body is not JSON ({exc.msg} at char {exc.pos})") from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise PlatformError(platform, account, "unreachable",
                            f"could not reach the {platform} API ({type(exc).__name__})") from None
    except requests.RequestException as exc:
        raise PlatformError(platform, account, "platform",
                            f"the request failed ({type(exc).__name__})") from None


def public_url(url: str) -> str:
    """The URL without its credential query parameters (`access_token`, `key`…), other
    parameters kept exactly as encoded, so the request line can be archived and shown."""
    base, mark, query = url.partition("?")
    if not mark:
        return scrub(url)
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in SECRET_PARAMS]
    return scrub(f"{base}?{'&'.join(kept)}" if kept else base)


def body_text(content: bytes | str | None) -> str:
    """A body's text exactly as sent. Every API here answers UTF-8 JSON; decoding the bytes
    ourselves avoids `requests`' charset guess, which can mangle a JSON body sent without one."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("utf-8", "replace")


class BodyRecorder:
    """Keeps a `RawBody` for every response a connector receives during one pull.

    Attach it to a `requests` session (`attach`), or call `add` from another transport
    (httplib2 for YouTube, httpx for Bluesky). It records only inside `recording()`, so a session
    shared by two connectors does not fill both. `secrets` (the token or key values in use) are
    replaced by "[redacted]" wherever a platform echoes them: Graph puts the access token in the
    `paging.next` URLs of its bodies. Otherwise a body is kept byte for byte.
    """

    def __init__(self, secrets: Iterable[str | None] = ()):
        self.redact = Redactor(secrets)  # each value in every form: as is, percent-encoded, base64
        self.bodies: list[RawBody] = []
        self.last_status: int | None = None
        self.last_headers: dict[str, str] = {}
        self._active = False

    def attach(self, session: requests.Session) -> BodyRecorder:
        session.hooks["response"].append(self.hook)
        return self

    @contextmanager
    def recording(self) -> Iterator[list[RawBody]]:
        """Start a fresh list of bodies for one pull (nested uses share the outer list)."""
        if self._active:
            yield self.bodies
            return
        self.bodies, self.last_status, self.last_headers = [], None, {}
        self._active = True
        try:
            yield self.bodies
        finally:
            self._active = False

    def add(self, method: str, url: str, content: bytes | str | None, status: int | None,
            headers: Iterable[tuple[str, str]] = ()) -> RawBody | None:
        self.last_status = status
        self.last_headers = {str(k).lower(): str(v) for k, v in headers}
        if not self._active:
            return None
        raw = RawBody(self._redact(f"{method.upper()} {public_url(str(url))}"), self._redact(body_text(content)),
                      status)
        self.bodies.append(raw)
        return raw

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        self.add(request.method or "GET", request.url or "", response.content, response.status_code,
                 response.headers.items())

    @property
    def last(self) -> RawBody | None:
        return self.bodies[-1] if self.bodies else None

    def decoded(self, platform: str, handle: str) -> tuple[Any, RawBody]:
        """The body just received, decoded from the recorded text itself: what the archive keeps,
        not the client library's converted objects."""
        source = self.last
        if source is None:
            raise MalformedBody(platform, handle, "malformed", "no response body was received")
        try:
            return json.loads(source.body), source
        except ValueError as exc:
            raise MalformedBody(platform, handle, "malformed", f"the body is not JSON ({exc})") from None

    def _redact(self, text: str) -> str:
        return self.redact(text)


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def pick_known(ids: Iterable[str], limit: int | None, now: datetime,
               newest_first: Callable[[str], Any] | None = None) -> list[str]:
    """Which archived ids to ask the platform about this cycle, at most `limit`.

    Up to the limit, all of them. Past it, the newest half (by `newest_first`, a sort key where
    larger is newer) plus a sample of the rest drawn with the cycle's time as the seed: deletions
    come soonest after posting, and over successive cycles every archived id gets its turn.
    Deterministic for a given `now`, so tests with a fixed clock see a fixed choice.
    """
    unique = list(dict.fromkeys(i for i in ids if i))
    if limit is None or len(unique) <= limit:
        return unique
    if limit <= 0:
        return []
    ordered = sorted(unique, key=newest_first, reverse=True) if newest_first else sorted(unique)
    head = ordered[: limit // 2] if newest_first else []
    taken = set(head)
    rest = [i for i in ordered if i not in taken]
    sample = random.Random(int(now.timestamp())).sample(rest, limit - len(head))
    return head + sorted(sample, key=ordered.index)


def skipped(step: str, exc: ConnectorError) -> Page:
    """An empty page saying a best-effort step (a deletion check, a reply thread) was skipped.

    Such steps run after the feed itself was read; if the platform rate-limits or fails them (or
    answers "not found" for something that vanished mid-pull), the pull keeps what it read instead
    of failing the account, which would also lose the feed pages and, with a tight limit, could
    starve the account cycle after cycle.
    """
    log.warning("%s %s: %s skipped: %s", exc.platform, exc.account, step, exc.message)
    return Page([], errors=[f"{step} was skipped: {exc.message}"])


def gone_page(account_id: str | None, ids: list[str], source: RawBody | None) -> Page:
    """An empty page saying the platform no longer has `ids` (the archive marks them deleted)."""
    return Page([], account_id=account_id, gone_ids=ids, source=source)


def with_replies(posts: Iterable[Post], account_id: str | None, count_field: str) -> list[Post]:
    """The account's own posts (not its reposts) whose raw body counts replies under them
    (`count_field`), each once: the threads worth asking the platform for."""
    found: dict[str, Post] = {}
    for post in posts:
        count = post.raw.get(count_field) if isinstance(post.raw, dict) else None
        if post.author_id == account_id and post.kind != "repost" and isinstance(count, int) and count > 0:
            found.setdefault(post.platform_id, post)
    return list(found.values())


def missing_secret(platform: str, handle: str, env_name: str, what: str) -> AuthError:
    """The error for a credential whose environment variable is not set; `what` says what goes in it."""
    return AuthError(platform, handle, "auth", f"{env_name} is not set: put {what} in it", env=env_name)


def secret(env: Mapping[str, str], env_name: str, platform: str, what: str) -> str:
    """The credential in environment variable `env_name`, or `missing_secret` for the platform."""
    value = env.get(env_name)
    if not value:
        raise missing_secret(platform, "*", env_name, what)
    return value


def rate_limited(platform: str, handle: str, service: str, reset_at: datetime | None, now: datetime) -> RateLimited:
    """An HTTP 429 from `service` ("X", "Bluesky AppView"…), lifting at `reset_at` where it said."""
    message = f"{service} rate limit reached (HTTP 429); the account is deferred to the next cycle"
    if reset_at is not None:
        message += f"; the window reopens in {max(0, int((reset_at - now).total_seconds()))} s"
    return RateLimited(platform, handle, "rate-limited", message, reset_at=reset_at)
