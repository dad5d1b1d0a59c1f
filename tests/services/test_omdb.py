"""OMDb: a title lookup with the key; a used-up daily limit is degraded, a bad key failed."""

from bot.status import Status
from tests.fakes.services import OMDB_API_KEY


async def test_working_key_finds_the_test_title(fake_services, make_runner):
    result = await make_runner(fake_services.settings()).check("omdb")

    assert result.status is Status.OK
    assert result.detail == "Key works: found 'The Matrix' (1999)"
    assert dict(result.facts)["Test lookup"] == "tt0133093 → 'The Matrix' (1999)"
    assert fake_services.omdb.requests[0].query == {"apikey": OMDB_API_KEY, "i": "tt0133093"}


async def test_invalid_key_fails_with_omdbs_own_words(fake_services, make_runner):
    result = await make_runner(fake_services.settings(OMDB_API_KEY="badbad00")).check("omdb")

    assert result.status is Status.FAILED
    assert result.detail == "Rejected the API key (HTTP 401): Invalid API key!"
    assert "OMDB_API_KEY" in result.hint


async def test_request_limit_is_degraded_not_failed(fake_services, make_runner):
    fake_services.omdb.set_mode("quota")

    result = await make_runner(fake_services.settings()).check("omdb")

    assert result.status is Status.DEGRADED
    assert result.detail == "Daily request limit reached: Request limit reached!"
    assert "1,000 requests a day" in result.hint


async def test_missing_key_is_not_configured(fake_services, make_runner):
    result = await make_runner(fake_services.settings(OMDB_API_KEY=None)).check("omdb")

    assert result.status is Status.NOT_CONFIGURED
    assert "OMDB_API_KEY" in result.detail
