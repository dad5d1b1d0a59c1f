"""CheckRunner: all services at once, one request in flight per service, results recorded."""

import asyncio
import json

import pytest

from bot.services.catalog import SERVICE_KEYS, SERVICES
from bot.services.runner import UnknownService
from bot.state import StateStore
from bot.status import Status
from tests.fakes.services import SECRETS, TMDB_V4_TOKEN


async def test_check_all_reports_every_service_in_the_fixed_order(fake_services, make_runner):
    results = await make_runner(fake_services.settings()).check_all()

    assert [(r.service, r.display_name) for r in results] == [(s.key, s.name) for s in SERVICES]
    assert [r.status for r in results] == [Status.OK] * 5
    assert all(r.checked_at.tzinfo is not None for r in results)


async def test_check_all_asks_every_service_at_the_same_time(fake_services, make_runner):
    for key in SERVICE_KEYS:
        fake_services[key].delay = 0.3
    settings = fake_services.settings(JELLYFIN_USER_ID=None)  # one Jellyfin request, like the others

    await make_runner(settings).check_all()

    requests = [fake_services[key].requests[0] for key in SERVICE_KEYS]
    # Asked one after another, no request could start before the previous one ended.
    assert max(r.started for r in requests) < min(r.finished for r in requests)


async def test_concurrent_checks_of_one_service_share_one_request(fake_services, make_runner):
    fake_services.omdb.delay = 0.3
    runner = make_runner(fake_services.settings())

    results = await asyncio.gather(*(runner.check("omdb") for _ in range(5)))

    assert fake_services.omdb.request_count == 1
    assert all(result is results[0] for result in results)


async def test_check_all_joins_a_check_already_in_flight(fake_services, make_runner):
    fake_services.tmdb.delay = 0.3
    runner = make_runner(fake_services.settings())

    single, everything = await asyncio.gather(runner.check("tmdb"), runner.check_all())

    assert fake_services.tmdb.request_count == 1
    assert everything[2] is single


async def test_checks_one_after_another_each_ask_the_service(fake_services, make_runner):
    runner = make_runner(fake_services.settings())

    await runner.check("mdblist")
    await runner.check("mdblist")

    assert fake_services.mdblist.request_count == 2


async def test_a_caller_giving_up_does_not_cancel_the_shared_check(fake_services, make_runner):
    fake_services.omdb.delay = 0.3
    runner = make_runner(fake_services.settings())
    impatient = asyncio.create_task(runner.check("omdb"))
    await asyncio.sleep(0.1)

    patient = asyncio.create_task(runner.check("omdb"))
    await asyncio.sleep(0)
    impatient.cancel()

    assert (await patient).status is Status.OK
    assert fake_services.omdb.request_count == 1


async def test_unknown_service_is_a_usage_error_listing_the_names(fake_services, make_runner):
    runner = make_runner(fake_services.settings())

    with pytest.raises(UnknownService) as raised:
        await runner.check("plex")

    assert raised.value.exit_code == 3
    assert "jellyfin, omdb, tmdb, mdblist, anidb" in str(raised.value)


async def test_results_are_recorded_for_later_readers(fake_services, make_runner, tmp_path):
    state = StateStore(tmp_path / "shared.sqlite3")
    fake_services.omdb.set_mode("quota")
    results = await make_runner(fake_services.settings(), state=state).check_all()

    later = make_runner(fake_services.settings(), state=state)

    assert await later.last_result("omdb") == results[1]
    assert (await later.last_result("omdb")).status is Status.DEGRADED


async def test_no_result_yet_is_none(fake_services, make_runner):
    assert await make_runner(fake_services.settings()).last_result("anidb") is None


@pytest.mark.parametrize("mode", ["ok", "bad_key", "quota", "server_error", "garbage", "truncated"])
async def test_no_key_or_token_appears_in_any_result_field(fake_services, make_runner, mode):
    for key in SERVICE_KEYS:
        fake_services[key].set_mode(mode)
    runners = [
        make_runner(fake_services.settings()),
        make_runner(fake_services.settings(TMDB_API_KEY=TMDB_V4_TOKEN)),
    ]

    results = [result for runner in runners for result in await runner.check_all()]

    dumped = json.dumps([result.to_dict() for result in results])
    leaked = [secret for secret in SECRETS if secret in dumped]
    assert leaked == []
