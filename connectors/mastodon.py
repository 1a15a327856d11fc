"""Live Mastodon connector: one account's public statuses (posts, replies, boosts, edits) and
the public replies under them, through Mastodon.py, with no token.

Each account names its server in the configuration (`instance: https://mastodon.social`); an
account without one fails alone, with an explanation. Per pull:
- GET /api/v1/accounts/lookup?acct=HANDLE: the account's id on that server and its bio;
- GET /api/v1/accounts/:id/statuses?since_id=CURSOR&limit=40, then `fetch_next` (the `Link`
  header) for at most `max_pages` pages;
- GET /api/v1/statuses/:id for at most `max_checked` (20) of the account's recent archived
  statuses (`known`) a cycle: a 404 means deleted (or no longer public), `Page.gone_ids`; an
  answer is parsed again, so an edit (`edited_at`, new text) becomes a new version in the
  archive. Past 20, the newest 10 and a different sample of the others each cycle
  (`connectors.http.pick_known`);
- GET /api/v1/statuses/:id/context for at most `max_threads` of the account's newest statuses
  with replies (`replies_count`): the residents' replies, kind "reply" with their parent.

Cursor: the newest status id (`Page.newest_id`, numeric, compared by value). Mastodon.py's
`fetch_next` drops `since_id` when it follows `Link: rel="next"`, so the following pages walk back
past the cursor; paging therefore stops at the first page reaching it. More than
`max_pages` x 40 statuses between two cycles leaves the oldest of them unread.

Rate limits: the client is built with `ratelimit_method="throw"`, never "wait" or "pace" (both
sleep). A 429 becomes `RateLimited`, its `reset_at` read from `X-RateLimit-Reset`, which Mastodon
sends as an ISO-8601 time (GoToSocial as Unix seconds; both are read). The deletion and reply
checks are best effort: limited or failing, they are skipped this cycle and the statuses read are
kept (`connectors.http.skipped`).

Evidence: every response body, exactly as received, in `Pull.bodies` and on `Page.source`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from auditor.records import AccountRef, Page, Post, RawBody
from connectors.base import Pull
from connectors.errors import (
    AccountConfigError,
    AuthError,
    ConnectorError,
    MalformedBody,
    NotFound,
    PlatformError,
    RateLimited,
)
from connectors.fields import reset_time
from connectors.http import (
    DEFAULT_TIMEOUT,
    BodyRecorder,
    Clock,
    TimeoutSession,
    gone_page,
    pick_known,
    rate_limited,
    skipped,
    utcnow,
    with_replies,
)
from connectors.mastodon_parse import mastodon_profile, parse_mastodon_page, status_id_key

if TYPE_CHECKING:
    from auditor.config.settings import Settings

PLATFORM = "mastodon"
PAGE_SIZE = 40  # the most Mastodon returns per statuses page


class MastodonConnector:
    platform = PLATFORM

    def __init__(self, instances: Mapping[str, str | None], *, session: requests.Session | None = None,
                 max_pages: int = 5, max_checked: int = 20, max_threads: int = 10, clock: Clock = utcnow):
        """`instances` maps each configured handle (any case, with or without "@") to its server's URL."""
        self.instances = {_key(handle): url for handle, url in instances.items()}
        self.session = session or TimeoutSession()
        self.recorder = BodyRecorder().attach(self.session)
        self.max_pages = max_pages
        self.max_checked = max_checked
        self.max_threads = max_threads
        self.clock = clock
        self._apis: dict[str, Mastodon] = {}

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        api = self._api(account)
        with self.recorder.recording() as raw, self._errors(account.handle):
            account_id, profile = self._lookup(api, account)
            ref = AccountRef(account.platform, account.handle, account_id)
            since = cursor if cursor and cursor.isdigit() else None  # Mastodon ids are numeric
            statuses = api.account_statuses(account_id, since_id=since, limit=PAGE_SIZE)
            pages = [self._page(ref)]
            while len(pages) < self.max_pages and not _reached(pages[-1], since):
                statuses = api.fetch_next(statuses)
                if statuses is None:
                    break
                pages.append(self._page(ref))
            try:
                with self._errors(account.handle):
                    checked = self._recheck(api, ref, known)
                    pages += checked
                    pages += self._threads(api, ref, [p for page in pages for p in page.posts])
            except (RateLimited, PlatformError, NotFound) as exc:
                pages.append(skipped("the deletion and reply check", exc))
        return Pull(pages, profile, len(raw), list(raw))

    def check(self, account: AccountRef) -> str:
        api = self._api(account)
        with self.recorder.recording(), self._errors(account.handle):
            return self._lookup(api, account)[0]

    def _api(self, account: AccountRef) -> Mastodon:
        instance = self.instances.get(_key(account.handle))
        if not instance:
            _, _, domain = account.handle.lstrip("@").partition("@")
            example = f"https://{domain}" if domain else "https://mastodon.social"
            raise AccountConfigError(PLATFORM, account.handle, "config",
                                 f"no `instance:` is configured for this Mastodon account: add the server it "
                                 f"lives on to its entry in the configuration, e.g. instance: {example}")
        if instance not in self._apis:
            self._apis[instance] = Mastodon(
                api_base_url=instance, ratelimit_method="throw", request_timeout=DEFAULT_TIMEOUT,
                session=self.session, version_check_mode="none",
            )
        return self._apis[instance]

    def _lookup(self, api: Mastodon, account: AccountRef) -> tuple[str, str | None]:
        """The account's id on its server (from the handle, checked against a configured id)."""
        api.account_lookup(account.handle.lstrip("@"))
        body, _ = self._last(account)
        if not isinstance(body, dict) or body.get("id") is None:
            raise MalformedBody(PLATFORM, account.handle, "malformed", "the account lookup returned no id")
        found = str(body["id"])
        return found, mastodon_profile(body, AccountRef(PLATFORM, account.handle, found))

    def _page(self, ref: AccountRef) -> Page:
        body, source = self._last(ref)
        return replace(parse_mastodon_page(body, ref), source=source)

    def _recheck(self, api: Mastodon, ref: AccountRef, known: Sequence[str]) -> list[Page]:
        """Fetch up to `max_checked` archived statuses again: 404 is gone, an answer may be an edit."""
        ids = [i for i in known if i.isdigit()]
        return self._each(ref, pick_known(ids, self.max_checked, self.clock(), status_id_key), api.status)

    def _threads(self, api: Mastodon, ref: AccountRef, posts: list[Post]) -> list[Page]:
        """Replies under the account's newest statuses that have some."""
        candidates = [p.platform_id for p in with_replies(posts, ref.platform_id, "replies_count")]
        newest = sorted(candidates, key=status_id_key, reverse=True)[: self.max_threads]
        return self._each(ref, newest, api.status_context)

    def _each(self, ref: AccountRef, status_ids: list[str], ask: Callable[[str], object]) -> list[Page]:
        """One request a status, each answer a page; a 404 means the status is gone (deleted, or
        no longer public, since it was read)."""
        pages = []
        for status_id in status_ids:
            try:
                ask(status_id)
            except MastodonNotFoundError:
                pages.append(gone_page(ref.platform_id, [status_id], self.recorder.last))
                continue
            pages.append(self._page(ref))
        return pages

    def _last(self, account: AccountRef) -> tuple[Any, RawBody | None]:
        # Mastodon.py's own objects convert ids and times; the parser reads the wire format.
        return self.recorder.decoded(PLATFORM, account.handle)

    @contextmanager
    def _errors(self, handle: str) -> Iterator[None]:
        try:
            yield
        except ConnectorError:
            raise
        except MastodonRatelimitError:
            raise self._rate_limited(handle) from None
        except MastodonNotFoundError:
            raise NotFound(PLATFORM, handle, "not-found", f"{self._server()} has no account {handle} "
                           "(lookup answered 404)") from None
        except MastodonUnauthorizedError:
            raise AuthError(PLATFORM, handle, "auth", f"{self._server()} refused an anonymous read (HTTP 401): "
                            "its administrators require a login for the public API, which this version "
                            "does not support") from None
        except MastodonNetworkError as exc:
            text = str(exc).lower()
            cause = "timed out" if "timeout" in text or "timed out" in text else "no answer"
            raise PlatformError(PLATFORM, handle, "unreachable",
                                f"could not reach {self._server()} ({cause})") from None
        except MastodonServerError:
            raise PlatformError(PLATFORM, handle, "platform", f"{self._server()} answered HTTP "
                                f"{self.recorder.last_status}") from None
        except MastodonAPIError as exc:
            status = self.recorder.last_status
            if status is not None and 200 <= status < 300:  # Mastodon.py could not decode a 2xx body
                raise MalformedBody(PLATFORM, handle, "malformed", "the answer is not JSON") from None
            detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else "error"
            raise PlatformError(PLATFORM, handle, "invalid-request",
                                f"{self._server()} answered HTTP {status}: {detail}") from None

    def _server(self) -> str:
        url = self.recorder.bodies[-1].request.split(" ", 1)[-1] if self.recorder.bodies else ""
        return urlsplit(url).netloc or "the Mastodon server"

    def _rate_limited(self, handle: str) -> ConnectorError:
        status, headers = self.recorder.last_status, self.recorder.last_headers
        if status != 429:
            # Mastodon.py raises its rate-limit error for a reset header it cannot parse, even on
            # a 200: that is a garbled answer, not a limit.
            return PlatformError(PLATFORM, handle, "platform",
                                 f"unreadable X-RateLimit-Reset header {headers.get('x-ratelimit-reset')!r}")
        return rate_limited(PLATFORM, handle, "Mastodon", reset_time(headers.get("x-ratelimit-reset")), self.clock())


def _key(handle: str) -> str:
    return handle.lstrip("@").lower()


def _reached(page: Page, since: str | None) -> bool:
    """Whether a statuses page reaches back to the cursor (or is the last one)."""
    ids = [p.platform_id for p in page.posts if p.kind == "repost" or p.author_id == page.account_id]
    if not ids:
        return True
    return since is not None and min(status_id_key(i) for i in ids) <= status_id_key(since)


def make_mastodon(settings: Settings, env: Mapping[str, str]) -> MastodonConnector:
    """The live Mastodon connector: each account's own server, no secret needed."""
    instances = {a.handle: a.instance for a, _ in settings.accounts() if a.platform == PLATFORM}
    return MastodonConnector(instances)
