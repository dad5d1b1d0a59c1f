"""TMDB: a v3 key goes in the query, a v4 read token in a Bearer header; the kind is detected."""

import pytest

from bot.services.tmdb import V3_KEY, V4_TOKEN, key_kind
from bot.status import Status
from tests.fakes.services import TMDB_V3_KEY, TMDB_V4_TOKEN


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        (TMDB_V3_KEY, V3_KEY),
        (TMDB_V3_KEY.upper(), V3_KEY),
        (TMDB_V4_TOKEN, V4_TOKEN),
        ("eyJhbGciOiJIUzI1NiJ9.only-one-dot", None),
        ("0123456789abcdef", None),
        ("not-a-key", None),
    ],
)
def test_key_kind_is_told_by_its_shape(key, kind):
    assert key_kind(key) == kind


async def test_v3_key_is_sent_as_api_key_parameter(fake_services, make_runner):
    result = await make_runner(fake_services.settings()).check("tmdb")

    assert result.status is Status.OK
    assert result.detail == "Accepted the v3 API key"
    assert dict(result.facts)["Key type"] == V3_KEY
    request = fake_services.tmdb.requests[0]
    assert request.path == "/3/authentication"
    assert request.query == {"api_key": TMDB_V3_KEY}
    assert "Authorization" not in request.headers


async def test_v4_token_is_sent_as_bearer_header(fake_services, make_runner):
    result = await make_runner(fake_services.settings(TMDB_API_KEY=TMDB_V4_TOKEN)).check("tmdb")

    assert result.status is Status.OK
    assert result.detail == "Accepted the v4 read access token"
    assert dict(result.facts)["Key type"] == V4_TOKEN
    request = fake_services.tmdb.requests[0]
    assert request.headers["Authorization"] == f"Bearer {TMDB_V4_TOKEN}"
    assert request.query == {}


async def test_invalid_key_fails_with_tmdbs_status_message(fake_services, make_runner):
    result = await make_runner(fake_services.settings(TMDB_API_KEY="f" * 32)).check("tmdb")

    assert result.status is Status.FAILED
    assert result.detail.startswith("Rejected the v3 API key (HTTP 401): Invalid API key")
    assert "TMDB_API_KEY" in result.hint


async def test_key_of_unknown_shape_gets_a_hint_about_the_two_shapes(fake_services, make_runner):
    result = await make_runner(fake_services.settings(TMDB_API_KEY="my-tmdb-key")).check("tmdb")

    assert result.status is Status.FAILED
    assert "neither a v3 key (32 hex characters) nor a v4 read token" in result.hint
    assert dict(result.facts)["Key type"] == "v3 API key (unrecognised shape)"


async def test_rate_limit_code_25_is_degraded(fake_services, make_runner):
    fake_services.tmdb.set_mode("quota")

    result = await make_runner(fake_services.settings()).check("tmdb")

    assert result.status is Status.DEGRADED
    assert result.detail == "Rate limited: Your request count (41) is over the allowed limit of 40."


async def test_offline_service_reports_tmdbs_message_with_the_status(fake_services, make_runner):
    fake_services.tmdb.set_mode("server_error")

    result = await make_runner(fake_services.settings()).check("tmdb")

    assert result.status is Status.FAILED
    assert result.detail.startswith("Server error 503: Service offline")
