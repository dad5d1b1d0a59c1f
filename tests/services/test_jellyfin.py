"""Jellyfin: server name and version with the API key, and the configured user must exist."""

from bot.status import Status
from tests.fakes.services import JELLYFIN_SERVER_NAME, JELLYFIN_USER_ID, JELLYFIN_VERSION


async def test_working_server_reports_its_name_version_and_user(fake_services, make_runner):
    result = await make_runner(fake_services.settings()).check("jellyfin")

    assert result.status is Status.OK
    assert (
        result.detail
        == f"Jellyfin Server '{JELLYFIN_SERVER_NAME}' {JELLYFIN_VERSION}, user 'aphrodite' found"
    )
    facts = dict(result.facts)
    assert facts["Server"] == JELLYFIN_SERVER_NAME
    assert facts["Version"] == JELLYFIN_VERSION
    assert facts["Operating system"] == "Linux"
    assert facts["User id"] == JELLYFIN_USER_ID
    assert facts["User"] == "aphrodite"
    assert result.credential_source == "environment"
    assert result.latency_ms is not None and result.latency_ms > 0


async def test_key_is_sent_in_the_mediabrowser_authorization_header(fake_services, make_runner):
    await make_runner(fake_services.settings()).check("jellyfin")

    system_info = fake_services.jellyfin.requests[0]
    assert system_info.path == "/System/Info"
    assert system_info.headers["Authorization"].startswith('MediaBrowser Token="')
    assert fake_services.jellyfin.requests[1].path == f"/Users/{JELLYFIN_USER_ID}"


async def test_without_a_user_id_only_the_server_is_checked(fake_services, make_runner):
    result = await make_runner(fake_services.settings(JELLYFIN_USER_ID=None)).check("jellyfin")

    assert result.status is Status.OK
    assert result.detail == f"Jellyfin Server '{JELLYFIN_SERVER_NAME}' {JELLYFIN_VERSION}"
    assert fake_services.jellyfin.request_count == 1


async def test_unknown_user_fails_although_the_server_answers(fake_services, make_runner):
    unknown = "99999999999999999999999999999999"
    result = await make_runner(fake_services.settings(JELLYFIN_USER_ID=unknown)).check("jellyfin")

    assert result.status is Status.FAILED
    assert f"user {unknown} not found" in result.detail
    assert dict(result.facts)["Server"] == JELLYFIN_SERVER_NAME
    assert "JELLYFIN_USER_ID" in result.hint


async def test_malformed_user_id_fails_as_not_found(fake_services, make_runner):
    result = await make_runner(fake_services.settings(JELLYFIN_USER_ID="admin")).check("jellyfin")

    assert result.status is Status.FAILED
    assert "user admin not found" in result.detail


async def test_bad_key_fails_with_the_401_in_words(fake_services, make_runner):
    result = await make_runner(fake_services.settings(JELLYFIN_API_KEY="wrong-key-000")).check("jellyfin")

    assert result.status is Status.FAILED
    assert result.detail == "Rejected the API key (HTTP 401)"
    assert "JELLYFIN_API_KEY" in result.hint


async def test_bad_key_mode_fails_the_same_way(fake_services, make_runner):
    fake_services.jellyfin.set_mode("bad_key")

    result = await make_runner(fake_services.settings()).check("jellyfin")

    assert (result.status, result.detail) == (Status.FAILED, "Rejected the API key (HTTP 401)")


async def test_missing_key_is_not_configured_and_names_the_variable(fake_services, make_runner):
    result = await make_runner(fake_services.settings(JELLYFIN_API_KEY=None)).check("jellyfin")

    assert result.status is Status.NOT_CONFIGURED
    assert "JELLYFIN_API_KEY" in result.detail
    assert "JELLYFIN_URL" not in result.detail
    assert result.credential_source == "environment"
    assert fake_services.jellyfin.request_count == 0


async def test_nothing_set_is_not_configured_naming_url_and_key(fake_services, make_runner):
    settings = fake_services.settings(JELLYFIN_URL=None, JELLYFIN_API_KEY=None, JELLYFIN_USER_ID=None)

    result = await make_runner(settings).check("jellyfin")

    assert result.status is Status.NOT_CONFIGURED
    assert "JELLYFIN_URL and JELLYFIN_API_KEY" in result.detail
    assert "DATABASE_URL is not set" in result.detail
    assert result.credential_source is None
    assert result.latency_ms is None
