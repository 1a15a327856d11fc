"""Live X (API v2) connector: one account's timeline and mentions through tweepy.

Cost note: X bills reads per post returned (and per user looked up), not per request, on its
paid tiers. A pull reads at most `max_pages` x 100 posts per endpoint, and after the first
cycle only posts newer than the saved cursor (`since_id`), so steady-state cost follows what
councillors and residents actually post.

Cursor: the newest tweet id seen (`meta.newest_id`, a snowflake). Timeline and mentions share
it safely because snowflakes grow with time: anything posted after a pull has a larger id than
anything that pull saw. If an account produces more than `max_pages` pages between cycles,
the oldest of those posts are skipped (the cursor jumps to the newest).

Deletions: the ids of the account's recent archived posts (`known`) are looked up with
GET /2/tweets?ids= in batches of 100; X answers each missing one with a `resource-not-found`
error, which `parse_x_page` turns into `Page.gone_ids`. Mind the bill: each lookup returns the
surviving posts again, and X counts them as reads (up to 14 days of the account's posts, every
cycle). Those lookups are best effort: if X rate-limits or fails them, the pages already read
are kept and the skipped check is noted in an empty page's `errors`, so a tight limit can never
starve the timeline itself.

Evidence: every response body is kept in `Pull.bodies` (and on its `Page.source`) exactly as
received; the bearer token travels in a header, never in the recorded request line.

Rate limits: tweepy is built with `wait_on_rate_limit=False`; a 429 becomes `RateLimited` and
the account waits for the next scheduled cycle. Nothing here ever sleeps.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import requests
import tweepy

from auditor.records import AccountRef, Page
from connectors.base import Pull
from connectors.errors import AuthError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.fields import reset_time
from connectors.http import (
    BodyRecorder,
    Clock,
    TimeoutSession,
    chunks,
    rate_limited,
    secret,
    skipped,
    transport_errors,
    utcnow,
)
from connectors.x_parse import parse_x_page, x_description

if TYPE_CHECKING:
    from auditor.config.settings import Settings

PLATFORM = "x"
USER_FIELDS = ["description", "username", "name"]
TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "referenced_tweets", "in_reply_to_user_id",
                "public_metrics", "edit_history_tweet_ids", "note_tweet"]
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id", "in_reply_to_user_id"]
LOOKUP_BATCH = 100  # GET /2/tweets?ids= takes at most 100 ids
# Never write "bearer" before a space: errors.scrub redacts whatever follows "bearer ".
TOKEN_HELP = ("an X developer app's app-only (bearer) token, from a paid tier with read access to user "
              "timelines and mentions (the Free tier cannot read them)")


class XConnector:
    platform = PLATFORM

    def __init__(self, client: tweepy.Client, *, max_pages: int = 5, clock: Clock = utcnow,
                 token_env: str = "X_BEARER_TOKEN"):
        if client.return_type not in (requests.Response, dict):
            raise ValueError("the tweepy client must return raw bodies: return_type=requests.Response")
        if client.wait_on_rate_limit:
            raise ValueError("wait_on_rate_limit would sleep inside a cycle; build the client without it")
        self.client = client
        self.max_pages = max_pages
        self.clock = clock
        self.token_env = token_env  # named in auth errors; the token itself never is
        self._ids: dict[str, str] = {}  # handle -> user id, resolved once per process
        self.recorder = BodyRecorder([getattr(client, "bearer_token", None)]).attach(client.session)

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        with self.recorder.recording() as raw, self._errors(account.handle):
            user_id, profile = self._lookup(account)
            ref = AccountRef(account.platform, account.handle, user_id)
            # A non-numeric cursor cannot be an X id (X answers 400), so it is ignored.
            since = cursor if cursor and cursor.isdigit() else None
            bodies: list[dict[str, Any]] = []
            pages = self._read(self.client.get_users_tweets, ref, since, bodies, feed=True)
            # Mentions are residents talking to the account; never attribute them to it.
            pages += self._read(self.client.get_users_mentions, ref, since, bodies, feed=False)
            try:
                with self._errors(account.handle):
                    pages += self._gone(ref, known)
            except (RateLimited, PlatformError, NotFound) as exc:
                pages.append(skipped("the deletion check", exc))
        if profile is None:  # the lookup had no description field: try the expanded author
            profile = next((d for body in bodies if (d := x_description(body, ref)) is not None), None)
        return Pull(pages, profile, len(raw), list(raw))  # one request per body received

    def _gone(self, ref: AccountRef, known: Sequence[str]) -> list[Page]:
        """Look the archived ids up again; those X answers "Not Found" for are `gone_ids`."""
        pages = []
        for batch in chunks([i for i in dict.fromkeys(known) if i.isdigit()], LOOKUP_BATCH):
            response = self.client.get_tweets(ids=batch, tweet_fields=TWEET_FIELDS, expansions=EXPANSIONS,
                                              user_fields=USER_FIELDS)
            page = parse_x_page(_body(response, ref), ref, assume_feed_author=False)
            # A lookup is not the timeline: it must never move the since_id cursor.
            pages.append(replace(page, newest_id=None, next_cursor=None, source=self.recorder.last))
        return pages

    def check(self, account: AccountRef) -> str:
        with self._errors(account.handle):
            return self._lookup(account)[0]

    def _lookup(self, account: AccountRef) -> tuple[str, str | None]:
        """The account's id (resolved from the handle once) and its profile description."""
        known = account.platform_id or self._ids.get(account.handle.lower())
        if known:
            response = self.client.get_user(id=known, user_fields=USER_FIELDS)
        else:
            response = self.client.get_user(username=account.handle.lstrip("@"), user_fields=USER_FIELDS)
        body = _body(response, account)
        user = body.get("data")
        if not (isinstance(user, dict) and isinstance(user.get("id"), str)):
            parse_x_page(body, account)  # raises the typed error the body describes
            raise NotFound(PLATFORM, account.handle, "not-found", "X returned no user for this handle")
        self._ids[account.handle.lower()] = user["id"]
        description = user.get("description")
        return user["id"], description if isinstance(description, str) else None

    def _read(self, method: Callable[..., Any], ref: AccountRef, since: str | None,
              bodies: list[dict[str, Any]], *, feed: bool) -> list[Page]:
        pages: list[Page] = []

        # Parse each body as it arrives, before Paginator decodes it for the next token: a
        # non-object body then fails as MalformedBody instead of inside tweepy.
        @functools.wraps(method)  # Paginator picks `pagination_token` vs `next_token` by name
        def fetch(*args: Any, **kwargs: Any) -> Any:
            response = method(*args, **kwargs)
            body = _body(response, ref)
            pages.append(replace(parse_x_page(body, ref, assume_feed_author=feed), source=self.recorder.last))
            bodies.append(body)
            return response

        paginator = tweepy.Paginator(
            fetch, ref.platform_id, since_id=since, max_results=100, tweet_fields=TWEET_FIELDS,
            expansions=EXPANSIONS, user_fields=USER_FIELDS, limit=self.max_pages,
        )
        for _ in paginator:
            pass
        return pages

    @contextmanager
    def _errors(self, handle: str) -> Iterator[None]:
        try:
            with transport_errors(PLATFORM, handle):
                yield
        except AuthError as exc:  # from a body: name the variable the refused token came from
            raise (exc if exc.env else AuthError(PLATFORM, handle, exc.kind, exc.message, env=self.token_env)) from None
        except tweepy.TooManyRequests as exc:
            reset = getattr(exc, "reset_time", None) or exc.response.headers.get("x-rate-limit-reset")
            raise rate_limited(PLATFORM, handle, "X", reset_time(reset), self.clock()) from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise AuthError(PLATFORM, handle, "auth",
                            f"X refused the token in {self.token_env} ({_why(exc)}); "
                            f"it must be {TOKEN_HELP}, and not expired or revoked", env=self.token_env) from None
        except tweepy.NotFound as exc:
            raise NotFound(PLATFORM, handle, "not-found", f"X: {_why(exc)}") from None
        except tweepy.TwitterServerError as exc:
            raise PlatformError(PLATFORM, handle, "platform", f"X server error ({_why(exc)})") from None
        except tweepy.BadRequest as exc:
            raise PlatformError(PLATFORM, handle, "invalid-request", f"X rejected the request ({_why(exc)})") from None
        except tweepy.HTTPException as exc:
            raise PlatformError(PLATFORM, handle, "platform", f"X answered {_why(exc)}") from None

def _body(response: Any, account: AccountRef) -> dict[str, Any]:
    body = response.json() if isinstance(response, requests.Response) else response
    if not isinstance(body, dict):
        raise MalformedBody(PLATFORM, account.handle, "malformed",
                            f"expected a JSON object, got {type(body).__name__}")
    return body


def _why(exc: tweepy.HTTPException) -> str:
    status = f"HTTP {exc.response.status_code}"
    detail = "; ".join(str(m) for m in exc.api_messages)
    return f"{status}: {detail}" if detail else status


def make_x(settings: Settings, env: Mapping[str, str]) -> XConnector:
    """The live X connector, authenticated with the app bearer token named in the settings."""
    name = settings.platforms.x.bearer_token_env
    token = secret(env, name, PLATFORM, TOKEN_HELP)
    client = tweepy.Client(bearer_token=token, return_type=requests.Response, wait_on_rate_limit=False)
    client.session = TimeoutSession()  # tweepy's own session has no timeout at all
    return XConnector(client, token_env=name)
