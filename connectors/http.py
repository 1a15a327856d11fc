"""Transport pieces shared by the live connectors: a session that cannot hang, and one mapping
of `requests` failures to typed connector errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from connectors.errors import MalformedBody, PlatformError

DEFAULT_TIMEOUT = 30.0  # seconds, connect and read; a scheduled cycle must never wait forever


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
