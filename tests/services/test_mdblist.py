"""MDBList: the key works, and how much of today's quota is left."""

from bot.status import Status
from tests.fakes.services import MDBLIST_API_KEY


async def test_working_key_reports_requests_left_today(fake_services, make_runner):
    result = await make_runner(fake_services.settings()).check("mdblist")

    assert result.status is Status.OK
    assert result.detail == "978 of 1000 requests left today"
    facts = dict(result.facts)
    assert facts["Requests today"] == "22 of 1000 used"
    assert facts["Patron status"] == "free"
    assert fake_services.mdblist.requests[0].query == {"apikey": MDBLIST_API_KEY}


async def test_used_up_counter_is_degraded(fake_services, make_runner):
    fake_services.mdblist.quota_used = 1000

    result = await make_runner(fake_services.settings()).check("mdblist")

    assert result.status is Status.DEGRADED
    assert result.detail == "Daily quota used up: 1000 of 1000 requests used today"
    assert "resets every day" in result.hint


async def test_limit_error_body_is_degraded(fake_services, make_runner):
    fake_services.mdblist.set_mode("quota")

    result = await make_runner(fake_services.settings()).check("mdblist")

    assert result.status is Status.DEGRADED
    assert result.detail == "Daily quota used up: API Limit Reached!"


async def test_bad_key_in_a_200_body_fails(fake_services, make_runner):
    result = await make_runner(fake_services.settings(MDBLIST_API_KEY="wrong-key-123")).check("mdblist")

    assert result.status is Status.FAILED
    assert result.detail == "Rejected the API key: Invalid API key!"
    assert "MDBLIST_API_KEY" in result.hint


async def test_bad_key_with_403_fails(fake_services, make_runner):
    fake_services.mdblist.set_mode("bad_key")

    result = await make_runner(fake_services.settings()).check("mdblist")

    assert result.status is Status.FAILED
    assert result.detail == "Rejected the API key (HTTP 403): Invalid API key!"
