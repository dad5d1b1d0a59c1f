"""Uptime counts only measured time: gaps and maintenance windows are shown apart, never as up or down."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.history import HistoryStore
from bot.status import Status
from tests.history.conftest import T0, FakeClock, record_at, rounds

HOUR = timedelta(hours=1)


async def test_a_gap_while_the_bot_was_down_is_unmeasured_not_down(
    store: HistoryStore, clock: FakeClock
) -> None:
    before = rounds("tmdb", T0, 360)  # 00:00-01:00
    after = rounds("tmdb", T0 + 2 * HOUR, 360, status=Status.FAILED, latency=None)  # 02:00-03:00
    await record_at(store, clock, T0 + 3 * HOUR, before + after)
    uptime = await store.uptime("tmdb", T0, T0 + 3 * HOUR)
    assert uptime.up_seconds == 3600
    assert uptime.down_seconds == 3600
    assert uptime.unmeasured_seconds == 3600
    assert uptime.percentage == 50.0


async def test_maintenance_is_counted_apart_and_not_in_the_percentage(
    store: HistoryStore, clock: FakeClock
) -> None:
    results = rounds("omdb", T0, 180) + rounds(
        "omdb", T0 + timedelta(minutes=30), 180, status=Status.FAILED, latency=None, paused=True
    )
    await record_at(store, clock, T0 + HOUR, results)
    uptime = await store.uptime("omdb", T0, T0 + HOUR)
    assert uptime.maintenance_seconds == 1800
    assert uptime.down_seconds == 0
    assert uptime.percentage == 100.0


async def test_degraded_counts_as_up_and_not_configured_as_unmeasured(
    store: HistoryStore, clock: FakeClock
) -> None:
    results = rounds("mdblist", T0, 180, status=Status.DEGRADED) + rounds(
        "mdblist", T0 + timedelta(minutes=30), 180, status=Status.NOT_CONFIGURED, latency=None
    )
    await record_at(store, clock, T0 + HOUR, results)
    uptime = await store.uptime("mdblist", T0, T0 + HOUR)
    assert (uptime.up_seconds, uptime.down_seconds, uptime.unmeasured_seconds) == (1800, 0, 1800)


async def test_a_target_never_measured_has_no_percentage(store: HistoryStore) -> None:
    uptime = await store.uptime("anidb", T0, T0 + HOUR)
    assert uptime.percentage is None
    assert uptime.unmeasured_seconds == 3600


async def test_a_period_edge_inside_a_sample_counts_only_its_inside_part(
    store: HistoryStore, clock: FakeClock
) -> None:
    await record_at(store, clock, T0 + HOUR, rounds("log", T0, 360))
    uptime = await store.uptime("log", T0 + timedelta(seconds=5), T0 + timedelta(seconds=65))
    assert uptime.up_seconds == 60


async def test_seven_days_combine_aggregates_beyond_48_hours_with_raw_results(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", interval_seconds=600, keep_days=90, clock=clock)
    try:
        for hour in range(7 * 24):
            start = T0 + hour * HOUR
            failing = hour % 24 == 3  # one failed hour a day, at 03:00
            status = Status.FAILED if failing else Status.OK
            await record_at(
                store, clock, start + HOUR, rounds("jellyfin", start, 6, every=600, status=status)
            )
        now = T0 + 7 * 24 * HOUR
        assert min(s.at for s in (await store.samples(T0, now))["jellyfin"]) > int(T0.timestamp())
        week = await store.uptime("jellyfin", T0, now)
        assert week.down_seconds == 7 * 3600
        assert week.up_seconds == pytest.approx(7 * 23 * 3600)
        assert week.percentage == pytest.approx(100 * 23 / 24)
        half_hour = await store.uptime("jellyfin", T0 + timedelta(hours=3, minutes=30), T0 + 4 * HOUR)
        assert half_hour.down_seconds == pytest.approx(1800)  # an aggregate hour, pro rata
    finally:
        await store.close()


async def test_a_backwards_period_is_refused(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="before its start"):
        await store.uptime("tmdb", T0 + HOUR, T0)


async def test_whole_hours_from_aggregates_and_part_hours_from_raw_add_up_exactly(
    store: HistoryStore, clock: FakeClock
) -> None:
    results = (
        rounds("tmdb", T0, 360)
        + rounds("tmdb", T0 + HOUR, 180, status=Status.FAILED, latency=None)
        + rounds("tmdb", T0 + timedelta(minutes=90), 180)
        + rounds("tmdb", T0 + 2 * HOUR, 360)
    )
    await record_at(store, clock, T0 + 3 * HOUR, results)
    assert (
        len(await store.hourly("tmdb", T0, T0 + 3 * HOUR)) == 3
    )  # the middle hour is read from its aggregate
    uptime = await store.uptime("tmdb", T0 + timedelta(minutes=15), T0 + timedelta(minutes=165))
    assert (uptime.up_seconds, uptime.down_seconds, uptime.unmeasured_seconds) == (7200, 1800, 0)


async def test_uptimes_of_every_target_at_once_match_one_by_one(
    store: HistoryStore, clock: FakeClock
) -> None:
    results = rounds("tmdb", T0, 360) + rounds("omdb", T0, 360, status=Status.FAILED, latency=None)
    await record_at(store, clock, T0 + HOUR, results)
    every = await store.uptimes(T0, T0 + HOUR)
    assert set(every) == {"tmdb", "omdb"}
    assert every["tmdb"] == await store.uptime("tmdb", T0, T0 + HOUR)
    assert every["omdb"].percentage == 0.0
