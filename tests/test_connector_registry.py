"""The platform registry, the typed connector errors with their advice, and the shared field
readers: one place each, read by replay, the live factories and everything else."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from auditor import platforms
from auditor.records import AccountRef
from connectors import registry
from connectors.errors import AuthError, ConnectorError, MalformedBody, RateLimited, advice_for
from connectors.fields import parse_time, require_list, reset_time
from connectors.replay import ReplayConnector

ROOT = Path(__file__).resolve().parents[1]


def test_every_platform_has_a_display_name_a_page_parser_and_a_live_factory() -> None:
    assert registry.NAMES == ("x", "facebook", "youtube", "bluesky", "mastodon")
    assert set(get_args(platforms.PlatformName)) == set(registry.NAMES)
    assert [platforms.display_name(n) for n in registry.NAMES] == ["X", "Facebook", "YouTube", "Bluesky", "Mastodon"]
    assert platforms.display_name("myspace") == "myspace", "an archived account of a dropped platform keeps its name"
    for name in registry.NAMES:
        platform = registry.get(name)
        assert callable(platform.parse_page) and registry.LIVE[name] == platform.build
    assert {e.platform for e in registry.EXPORTS.values()} <= set(registry.NAMES)


def test_an_unknown_platform_fails_with_the_known_ones_listed() -> None:
    with pytest.raises(registry.UnknownPlatform) as caught:
        registry.get("instagram", "JaneDoe")
    error = caught.value
    assert isinstance(error, ConnectorError) and isinstance(error, ValueError)
    assert (error.platform, error.account, error.kind) == ("instagram", "JaneDoe", "unsupported")
    assert "unknown platform 'instagram': this version reads x, facebook, youtube, bluesky, mastodon" in str(error)
    assert pickle.loads(pickle.dumps(error)).explanation == error.explanation


def test_replay_reads_its_parsers_from_the_registry(tmp_path: Path) -> None:
    with pytest.raises(registry.UnknownPlatform, match="this version reads x, facebook"):
        ReplayConnector("instagram", tmp_path).pull(AccountRef("instagram", "jane"), None)


def test_the_registry_imports_no_platform_sdk_and_nothing_of_the_archive() -> None:
    heavy = ["tweepy", "facebook", "googleapiclient", "atproto", "mastodon", "sqlalchemy", "auditor.archive",
             "auditor.service", "requests", "httpx"]
    code = (f"import json, sys, connectors.registry, connectors.replay\n"
            f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(loaded.stdout) == []


def test_advice_comes_from_the_kind_and_the_platform_in_one_place() -> None:
    assert advice_for("auth", "x", env="X_BEARER_TOKEN").startswith("Renew the access token in X_BEARER_TOKEN")
    assert "logged in" in advice_for("auth", "bluesky"), "Bluesky is read anonymously: no token to renew"
    reset = datetime(2026, 11, 18, 14, 55, tzinfo=UTC)
    assert "at 14:55 UTC on 2026-11-18" in advice_for("rate-limited", "mastodon", reset_at=reset)
    assert advice_for("some-new-kind", "x") == "Retry later; report it if it persists."


def test_an_error_carries_typed_fields_and_one_line_for_people() -> None:
    reset = datetime(2026, 11, 18, 14, 55, tzinfo=UTC)
    error = RateLimited("x", "JaneDoe", "rate-limited", "X rate limit reached (HTTP 429).", reset_at=reset)
    assert (error.platform, error.handle, error.kind, error.reset_at) == ("x", "JaneDoe", "rate-limited", reset)
    assert error.message == "X rate limit reached (HTTP 429)"
    assert error.explanation == f"{error.message}. {error.advice}" and "\n" not in error.explanation
    assert str(error) == f"x JaneDoe: {error.explanation}"
    auth = AuthError("facebook", "*", "auth", "refused access_token=EAAsecret", env="FACEBOOK_TOKEN")
    assert "EAAsecret" not in str(auth) and "FACEBOOK_TOKEN" in auth.advice
    renamed = auth.for_account("JanePage")
    assert type(renamed) is AuthError and renamed.account == "JanePage" and renamed.advice == auth.advice
    assert pickle.loads(pickle.dumps(renamed)).explanation == renamed.explanation


def test_field_readers_name_the_field_of_a_malformed_body() -> None:
    jane = AccountRef("mastodon", "jane")
    assert parse_time("2026-11-17T04:30:00", "mastodon", jane, "created_at") == datetime(2026, 11, 17, 4, 30,
                                                                                         tzinfo=UTC)
    with pytest.raises(MalformedBody, match="`created_at` is not a time: 'yesterday'") as caught:
        parse_time("yesterday", "mastodon", jane, "created_at")
    assert (caught.value.platform, caught.value.account, caught.value.kind) == ("mastodon", "jane", "malformed")
    with pytest.raises(MalformedBody, match="`feed` is missing or not a list"):
        require_list({"not": "a list"}, "bluesky", jane, "feed")
    assert require_list(None, "mastodon", jane, "descendants", optional=True) == []


@pytest.mark.parametrize("value, expected", [
    ("1785592500", datetime(2026, 8, 1, 13, 55, tzinfo=UTC)),
    (1785592500, datetime(2026, 8, 1, 13, 55, tzinfo=UTC)),
    ("2026-08-01T13:55:00Z", datetime(2026, 8, 1, 13, 55, tzinfo=UTC)),
    ("soon", None), (None, None), ("", None),
])
def test_reset_headers_are_read_as_unix_seconds_or_iso_times(value: object, expected: datetime | None) -> None:
    assert reset_time(value) == expected
