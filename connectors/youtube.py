"""Live YouTube connector: a channel's uploads, the comments and replies under them, through the
YouTube Data API v3 (`google-api-python-client`) with an API key.

The client is built with `static_discovery=True`: the API description ships with the library,
so building it needs no network. The key comes from the environment variable named by
`platforms.youtube.api_key_env` (YOUTUBE_API_KEY by default) and is sent as the `key=` query
parameter, which is dropped from every request line the archive keeps.

Per pull, every call a `list` costing 1 quota unit; `Pull.requests` is the units spent:
- channels.list(part=contentDetails,snippet, id=… or forHandle=…): the channel id, its uploads
  playlist and its description. A handle or id YouTube does not know answers an empty list: NotFound;
- playlistItems.list on the uploads playlist, 50 a page, newest first, at most `max_pages` pages,
  stopping at the first page reaching back to the cursor; each video's title and description is
  a post (https://www.youtube.com/watch?v=ID). A channel with no uploads answers 404 for that
  playlist: no videos, not an error;
- videos.list(id=…, 50 a request) for the channel's recent archived videos (`known`): missing ids
  were deleted (or made private); the answers are parsed again, so an edited title or
  description becomes a new version. comments.list(id=…) does the same for the channel's own
  archived comments and replies;
- commentThreads.list(videoId=…, part=snippet,replies, order=time, 100 threads) for the newest
  `max_comment_videos` videos, new or recent: top-level comments (kind "comment", parent the
  video) and replies (kind "reply", parent the top-level comment). A video with comments turned
  off answers 403 commentsDisabled: skipped. YouTube includes at most 5 replies in a thread; where
  it says there are more, comments.list(parentId=…) reads them, for at most `max_reply_threads`
  threads a cycle. The channel's own comments and replies carry its id as author: they are the
  councillor's words.

Budget: the default quota is 10,000 units a day per Google Cloud project. A steady cycle costs
about 2 + 1 per 50 recent videos + up to 5 comment lists + a few reply lists, ~10 units; at a
pull every 30 minutes that is ~500 units a day per channel.

Cursor: a time, as for Facebook: each uploads page's `newest_id` is its newest video's
publication time in UTC ("YYYY-MM-DDTHH:MM:SS+00:00", text order is time order).

Errors: quotaExceeded/rateLimitExceeded (403) -> RateLimited (a spent daily quota resets at
midnight Pacific time: that is its `reset_at`); keyInvalid (400) and other key or project
refusals -> AuthError naming the environment variable; 404 -> NotFound; 5xx -> PlatformError.
`execute()` is called with no retries, so nothing sleeps. The checks after the uploads are best
effort: limited or failing, they are skipped this cycle and what was read is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from auditor.records import AccountRef, Page, Post
from connectors.base import Pull
from connectors.errors import AuthError, ConnectorError, MalformedBody, NotFound, PlatformError, RateLimited
from connectors.fields import time_cursor
from connectors.http import DEFAULT_TIMEOUT, BodyRecorder, Clock, chunks, gone_page, secret, skipped, utcnow
from connectors.youtube_parse import error_reasons, parse_youtube_page, uploads_playlist, youtube_error, youtube_profile

if TYPE_CHECKING:
    from auditor.config.settings import Settings

PLATFORM = "youtube"
LOOKUP_BATCH = 50  # videos.list / comments.list take at most 50 ids
KEY_HELP = ("a YouTube Data API v3 key (Google Cloud console, APIs & Services, Credentials) from a project "
            "with the YouTube Data API v3 enabled")
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_COMMENT_ID = re.compile(r"[A-Za-z0-9_-]{20,}(\.[A-Za-z0-9_-]+)?")
_QUOTA_DAY = ZoneInfo("America/Los_Angeles")  # YouTube's daily quota resets at midnight Pacific time


class RecordingHttp:
    """An `httplib2.Http` (or test double) that hands every response body to a `BodyRecorder`."""

    def __init__(self, http: Any, recorder: BodyRecorder):
        self.http = http
        self.recorder = recorder

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None,
                *args: Any, **kwargs: Any) -> tuple[Any, bytes]:
        response, content = self.http.request(uri, method, body, headers, *args, **kwargs)
        self.recorder.add(method, uri, content, int(response.status), response.items())
        return response, content

    def __getattr__(self, name: str) -> Any:
        if name == "http":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.http, name)


class YouTubeConnector:
    platform = PLATFORM

    def __init__(self, service: Any, recorder: BodyRecorder, *, key_env: str = "YOUTUBE_API_KEY",
                 max_pages: int = 5, max_comment_videos: int = 5, max_reply_threads: int = 5,
                 clock: Clock = utcnow, http: Any = None):
        """`service`: a `build("youtube", "v3", …)` resource whose `http` (kept here for
        inspection) feeds `recorder`; `youtube_connector` builds both."""
        self.service = service
        self.http = http
        self.recorder = recorder
        self.key_env = key_env  # named in auth errors; the key itself never is
        self.max_pages = max_pages
        self.max_comment_videos = max_comment_videos
        self.max_reply_threads = max_reply_threads
        self.clock = clock
        self._units = 0

    def pull(self, account: AccountRef, cursor: str | None, known: Sequence[str] = ()) -> Pull:
        self._units = 0
        with self.recorder.recording() as raw, self._errors(account.handle):
            channel_id, uploads, profile = self._channel(account)
            ref = AccountRef(account.platform, account.handle, channel_id)
            since = time_cursor(cursor)
            pages = self._uploads(ref, uploads, since)
            new = [p for page in pages for p in page.posts if since is None or p.created_at > since]
            try:
                with self._errors(account.handle):
                    videos, comments = _split_known(known)
                    checked = self._recheck(ref, videos, "videos") + self._recheck(ref, comments, "comments")
                    pages += checked
                    alive = [p for page in checked for p in page.posts if p.kind == "post"]
                    pages += self._comments(ref, new + alive)
            except (RateLimited, PlatformError, NotFound) as exc:
                pages.append(skipped("the deletion and comment check", exc))
        return Pull(pages, profile, self._units, list(raw))

    def check(self, account: AccountRef) -> str:
        with self._errors(account.handle):
            return self._channel(account)[0]

    def _channel(self, account: AccountRef) -> tuple[str, str, str | None]:
        """The channel id, its uploads playlist id and its description."""
        wanted = account.platform_id or account.handle
        if account.platform_id or re.fullmatch(r"UC[A-Za-z0-9_-]{22}", wanted):
            request = self.service.channels().list(part="contentDetails,snippet", id=wanted)
        else:
            request = self.service.channels().list(part="contentDetails,snippet", forHandle=wanted.lstrip("@"))
        body = self._call(request)
        found = uploads_playlist(body)
        if found is None:  # YouTube answers 200 with no items for an unknown handle or id
            raise NotFound(PLATFORM, account.handle, "not-found",
                           f"YouTube has no channel {'with id' if account.platform_id else 'for'} {wanted}")
        channel_id, uploads = found
        return channel_id, uploads, youtube_profile(body, AccountRef(PLATFORM, account.handle, channel_id))

    def _uploads(self, ref: AccountRef, playlist: str, since: datetime | None) -> list[Page]:
        pages: list[Page] = []
        token: str | None = None
        while len(pages) < self.max_pages:
            try:
                body = self._call(self.service.playlistItems().list(
                    part="snippet,contentDetails", playlistId=playlist, maxResults=50, pageToken=token))
            except HttpError as exc:
                if exc.resp.status == 404 and not pages:  # a channel with no uploads has no such playlist
                    return [Page([], account_id=ref.platform_id, source=self.recorder.last)]
                raise
            page = replace(parse_youtube_page(body, ref), source=self.recorder.last)
            pages.append(page)
            token = page.next_cursor
            if not token or not page.posts or (since is not None and min(p.created_at for p in page.posts) <= since):
                break
        return pages

    def _recheck(self, ref: AccountRef, ids: list[str], resource: str) -> list[Page]:
        """videos.list / comments.list by id: ids missing from the answer are gone."""
        pages = []
        for batch in chunks(ids, LOOKUP_BATCH):
            if resource == "videos":
                request = self.service.videos().list(part="snippet", id=",".join(batch), maxResults=LOOKUP_BATCH)
            else:
                request = self.service.comments().list(part="snippet", id=",".join(batch), textFormat="plainText",
                                                       maxResults=LOOKUP_BATCH)
            page = parse_youtube_page(self._call(request), ref)
            answered = {p.platform_id for p in page.posts}
            # A lookup is not the uploads list: it must never move the cursor.
            pages.append(replace(page, newest_id=None, next_cursor=None, source=self.recorder.last,
                                 gone_ids=[i for i in batch if i not in answered]))
        return pages

    def _comments(self, ref: AccountRef, videos: list[Post]) -> list[Page]:
        newest = sorted({v.platform_id: v for v in videos}.values(), key=lambda v: v.created_at, reverse=True)
        pages: list[Page] = []
        more: list[tuple[str, str]] = []  # (thread id, video id) with replies YouTube left out
        for video in newest[: self.max_comment_videos]:
            try:
                body = self._call(self.service.commentThreads().list(
                    part="snippet,replies", videoId=video.platform_id, maxResults=100, order="time",
                    textFormat="plainText"))
            except HttpError as exc:
                reasons = _reasons(exc)
                if reasons & {"commentsDisabled", "forbidden"}:  # comments off, or not public
                    continue
                if exc.resp.status == 404 and "videoNotFound" in reasons:
                    pages.append(gone_page(ref.platform_id, [video.platform_id], self.recorder.last))
                    continue
                raise
            pages.append(replace(parse_youtube_page(body, ref), source=self.recorder.last))
            for thread in body.get("items") or []:
                total = (thread.get("snippet") or {}).get("totalReplyCount")
                included = len((thread.get("replies") or {}).get("comments") or [])
                if isinstance(total, int) and total > included and thread.get("id"):
                    more.append((thread["id"], (thread.get("snippet") or {}).get("videoId") or video.platform_id))
        for thread_id, video_id in more[: self.max_reply_threads]:
            body = self._call(self.service.comments().list(part="snippet", parentId=thread_id, maxResults=100,
                                                           textFormat="plainText"))
            pages.append(replace(parse_youtube_page(body, ref, video_id=video_id), source=self.recorder.last))
        return pages

    def _call(self, request: Any) -> Any:
        """Execute one list call (1 quota unit), with no retries: nothing here ever sleeps."""
        self._units += 1
        body = request.execute(num_retries=0)
        if not isinstance(body, dict):  # googleapiclient hands back the text of a body that is not JSON
            raise MalformedBody(PLATFORM, "*", "malformed", "the YouTube answer is not a JSON object")
        return body

    @contextmanager
    def _errors(self, handle: str) -> Iterator[None]:
        who = AccountRef(PLATFORM, handle)
        try:
            yield
        except MalformedBody as exc:
            raise exc.for_account(handle) from None  # `_call` cannot name the account
        except ConnectorError:
            raise
        except HttpError as exc:
            raise self._http_error(exc, who) from None
        except json.JSONDecodeError:  # a 2xx whose body is not JSON
            raise MalformedBody(PLATFORM, handle, "malformed", "the YouTube answer is not JSON") from None
        except (httplib2.HttpLib2Error, OSError) as exc:  # timeouts, refused connections, DNS
            raise PlatformError(PLATFORM, handle, "unreachable",
                                f"could not reach the YouTube API ({type(exc).__name__})") from None

    def _http_error(self, exc: HttpError, who: AccountRef) -> ConnectorError:
        status = int(exc.resp.status)
        body = _json(exc.content)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = youtube_error(body, who, status=status, key_env=self.key_env)
        elif status >= 500:
            error = PlatformError(PLATFORM, who.handle, "platform", f"YouTube answered HTTP {status}")
        elif status in (401, 403):
            error = AuthError(PLATFORM, who.handle, "auth", f"YouTube refused the API key in {self.key_env} "
                              f"(HTTP {status}); it must be {KEY_HELP}", env=self.key_env)
        elif status == 404:
            error = NotFound(PLATFORM, who.handle, "not-found", "YouTube answered HTTP 404")
        else:
            error = PlatformError(PLATFORM, who.handle, "invalid-request", f"YouTube answered HTTP {status}")
        if isinstance(error, RateLimited) and _reasons(exc) & {"quotaExceeded", "dailyLimitExceeded"}:
            reset_at = _next_quota_day(self.clock())
            wait = int((reset_at - self.clock()).total_seconds())
            return RateLimited(PLATFORM, who.handle, "rate-limited",
                               f"{error.message}; the project's daily quota is spent until midnight Pacific time, "
                               f"in {wait} s", reset_at=reset_at)
        return error


def _json(content: Any) -> Any:
    try:
        return json.loads(content)
    except (TypeError, ValueError):
        return None


def _reasons(exc: HttpError) -> set[str]:
    body = _json(exc.content)
    error = body.get("error") if isinstance(body, dict) else None
    return error_reasons(error) if isinstance(error, dict) else set()


def _next_quota_day(now: datetime) -> datetime:
    local = now.astimezone(_QUOTA_DAY)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=_QUOTA_DAY)
    return midnight.astimezone(UTC)


def _split_known(known: Sequence[str]) -> tuple[list[str], list[str]]:
    """Archived ids: 11-character video ids, and comment or reply ids (asked about separately:
    videos.list would call every comment deleted)."""
    unique = list(dict.fromkeys(known))
    videos = [i for i in unique if _VIDEO_ID.fullmatch(i)]
    comments = [i for i in unique if _COMMENT_ID.fullmatch(i) and not _VIDEO_ID.fullmatch(i)]
    return videos, comments



def youtube_connector(http: Any, key: str, *, key_env: str = "YOUTUBE_API_KEY", **options: Any) -> YouTubeConnector:
    """A connector over `http` (an `httplib2.Http`, or `HttpMock`/`HttpMockSequence` in tests)."""
    recorder = BodyRecorder([key])
    recording = RecordingHttp(http, recorder)
    service = build("youtube", "v3", developerKey=key, http=recording, static_discovery=True, cache_discovery=False)
    return YouTubeConnector(service, recorder, key_env=key_env, http=recording, **options)


def make_youtube(settings: Settings, env: Mapping[str, str]) -> YouTubeConnector:
    """The live YouTube connector, with the API key named in the settings."""
    name = settings.platforms.youtube.api_key_env
    key = secret(env, name, PLATFORM, KEY_HELP)
    return youtube_connector(httplib2.Http(timeout=DEFAULT_TIMEOUT), key, key_env=name)
