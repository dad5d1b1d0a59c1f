"""AniDB: the client works, and the bot never gives AniDB a reason to ban it."""

import asyncio
import time
from datetime import timedelta

import pytest

from bot.services.anidb_guard import (
    BAN_PAUSE,
    GOOD_RESULT_REUSED_FOR,
    OTHER_RESULT_REUSED_FOR,
    PROCESS_SPACING,
    RequestSpacing,
)
from bot.state import StateStore
from bot.status import Status
from tests.fakes.services import ANIDB_CLIENT, ANIDB_CLIENT_VERSION, ANIDB_MAIN_TITLE


@pytest.mark.parametrize("gzip_header", [True, False], ids=["content-encoding-gzip", "raw-gzip-body"])
async def test_working_client_reads_the_gzipped_anime_xml(fake_services, make_runner, gzip_header):
    fake_services.anidb.gzip_header = gzip_header

    result = await make_runner(fake_services.settings()).check("anidb")

    assert result.status is Status.OK
    assert (
        result.detail
        == f"Client '{ANIDB_CLIENT}' v{ANIDB_CLIENT_VERSION} works: anime 1 is '{ANIDB_MAIN_TITLE}'"
    )
    assert dict(result.facts)["Client"] == f"{ANIDB_CLIENT} v{ANIDB_CLIENT_VERSION}"
    query = fake_services.anidb.requests[0].query
    assert query == {
        "request": "anime",
        "client": ANIDB_CLIENT,
        "clientver": ANIDB_CLIENT_VERSION,
        "protover": "1",
        "aid": "1",
    }


async def test_unregistered_client_fails_and_says_how_to_register(fake_services, make_runner):
    result = await make_runner(fake_services.settings(ANIDB_CLIENT="someotherclient")).check("anidb")

    assert result.status is Status.FAILED
    assert result.detail == "AniDB refused client 'someotherclient' v1: client version missing or invalid"
    assert "https://anidb.net/software/add" in result.hint
    assert "ANIDB_CLIENT" in result.hint


@pytest.mark.parametrize("unset", ["ANIDB_CLIENT", "ANIDB_CLIENT_VERSION"])
async def test_missing_client_or_version_is_not_configured(fake_services, make_runner, unset):
    result = await make_runner(fake_services.settings(**{unset: None})).check("anidb")

    assert result.status is Status.NOT_CONFIGURED
    assert unset in result.detail
    assert fake_services.anidb.request_count == 0


async def test_good_result_is_reused_for_hours_and_says_when_it_was_measured(
    fake_services, make_runner, clock
):
    runner = make_runner(fake_services.settings())
    first = await runner.check("anidb")
    clock.advance(timedelta(minutes=42))

    again = await runner.check("anidb")

    assert fake_services.anidb.request_count == 1
    assert again.status is Status.OK
    assert again.detail == f"Cached, checked 42 min ago: {first.detail}"
    assert dict(again.facts)["Cached at"] == f"{first.checked_at:%Y-%m-%d %H:%M} UTC"


async def test_cached_result_expires_and_anidb_is_asked_again(fake_services, make_runner, clock):
    runner = make_runner(fake_services.settings())
    await runner.check("anidb")
    clock.advance(GOOD_RESULT_REUSED_FOR)

    again = await runner.check("anidb")

    assert fake_services.anidb.request_count == 2
    assert not again.detail.startswith("Cached")


async def test_changed_client_settings_are_not_answered_from_the_cache(fake_services, make_runner, tmp_path):
    state = StateStore(tmp_path / "shared.sqlite3")
    await make_runner(fake_services.settings(), state=state).check("anidb")

    other = await make_runner(fake_services.settings(ANIDB_CLIENT_VERSION="2"), state=state).check("anidb")

    assert fake_services.anidb.request_count == 2
    assert other.status is Status.FAILED


async def test_failure_is_reused_for_a_minute_then_asked_again(fake_services, make_runner, clock):
    fake_services.anidb.set_mode("server_error")
    runner = make_runner(fake_services.settings())
    await runner.check("anidb")

    clock.advance(timedelta(seconds=30))
    reused = await runner.check("anidb")
    assert fake_services.anidb.request_count == 1
    assert reused.status is Status.FAILED
    assert "result from 30 s ago" in reused.detail

    clock.advance(OTHER_RESULT_REUSED_FOR)
    await runner.check("anidb")
    assert fake_services.anidb.request_count == 2


async def test_ban_stops_all_requests_and_says_until_when(fake_services, make_runner, clock):
    fake_services.anidb.set_mode("banned")
    runner = make_runner(fake_services.settings())

    banned = await runner.check("anidb")
    again = await runner.check("anidb")

    until = clock.now + BAN_PAUSE
    expected = f"AniDB banned this client; not asking again until {until:%Y-%m-%d %H:%M} UTC"
    assert banned.status is Status.FAILED
    assert banned.detail == expected
    assert dict(banned.facts)["AniDB said"] == "banned"
    assert again.detail == expected
    assert fake_services.anidb.request_count == 1


async def test_ban_survives_a_restart(fake_services, make_runner, tmp_path):
    fake_services.anidb.set_mode("banned")
    state = StateStore(tmp_path / "state.sqlite3")
    await make_runner(fake_services.settings(), state=state).check("anidb")
    await state.close()
    fake_services.anidb.set_mode("ok")

    restarted = StateStore(tmp_path / "state.sqlite3")
    result = await make_runner(fake_services.settings(), state=restarted).check("anidb")

    assert result.detail.startswith("AniDB banned this client; not asking again until")
    assert fake_services.anidb.request_count == 1


async def test_anidb_is_asked_again_once_the_ban_is_over(fake_services, make_runner, clock):
    fake_services.anidb.set_mode("banned")
    runner = make_runner(fake_services.settings())
    await runner.check("anidb")
    fake_services.anidb.set_mode("ok")
    clock.advance(BAN_PAUSE + timedelta(minutes=1))

    result = await runner.check("anidb")

    assert result.status is Status.OK
    assert fake_services.anidb.request_count == 2


async def test_request_spacing_never_starts_two_requests_within_the_interval():
    spacing = RequestSpacing(0.2)
    starts: list[float] = []

    async def request() -> None:
        await spacing.wait()
        starts.append(time.monotonic())

    before = time.monotonic()
    await asyncio.gather(*(request() for _ in range(4)))

    # All four reserve their slot at once, after `before`: the k-th may not start before k intervals.
    # (Gaps between consecutive starts would also measure the loop's scheduling jitter.)
    assert len(starts) == 4
    assert all(start >= before + index * 0.2 for index, start in enumerate(sorted(starts)))


async def test_two_runners_in_one_process_ask_anidb_at_most_once_per_2_seconds(fake_services, make_runner):
    settings = fake_services.settings()
    first = make_runner(settings, spacing=PROCESS_SPACING)
    second = make_runner(settings, spacing=PROCESS_SPACING)

    results = await asyncio.gather(first.check("anidb"), second.check("anidb"))

    assert [result.status for result in results] == [Status.OK, Status.OK]
    one, two = sorted(request.started for request in fake_services.anidb.requests)
    assert two - one >= 2.0
