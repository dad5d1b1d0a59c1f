"""HistoryStore: raw results, hourly aggregates and pruning, all on an injected clock."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.history import HistoryStore, Observation
from bot.history.rollup import p95
from bot.history.sqlite_file import HistoryUnavailable
from bot.status import Status
from tests.history.conftest import T0, FakeClock, record_at, rounds

HOUR = timedelta(hours=1)


async def test_a_finished_hour_becomes_one_aggregate_with_exact_counts_and_latency(
    store: HistoryStore, clock: FakeClock
) -> None:
    results = (
        rounds("tmdb", T0, 300, latency=100)
        + rounds("tmdb", T0 + timedelta(seconds=3000), 40, status=Status.DEGRADED, latency=900)
        + rounds("tmdb", T0 + timedelta(seconds=3400), 10, status=Status.FAILED, latency=None)
        + rounds("tmdb", T0 + timedelta(seconds=3500), 10, paused=True, latency=5000)
    )
    await record_at(store, clock, T0 + timedelta(seconds=3599), results)
    assert await store.hourly("tmdb", T0, T0 + HOUR) == []  # the hour is not over yet
    await record_at(store, clock, T0 + HOUR, [])
    await record_at(store, clock, T0 + HOUR, rounds("tmdb", T0 + HOUR, 1))
    (hour,) = await store.hourly("tmdb", T0, T0 + HOUR)
    assert (hour.ok, hour.degraded, hour.failed, hour.not_configured, hour.paused) == (300, 40, 10, 0, 10)
    assert (hour.latency_count, hour.latency_min, hour.latency_max) == (340, 100, 900)
    assert hour.latency_avg == pytest.approx((300 * 100 + 40 * 900) / 340)
    assert hour.latency_p95 == 900  # 5 % of 340 is 17 results: the 40 slow ones set the p95
    assert hour.up_seconds == 3400 and hour.down_seconds == 100 and hour.maintenance_seconds == 100


def test_p95_is_the_nearest_rank() -> None:
    assert p95(list(range(1, 101))) == 95
    assert p95(list(range(1, 21))) == 19
    assert p95([7]) == 7
    assert p95([]) is None


@pytest.mark.parametrize("edge_hours", [5, 24], ids=["hour edge", "day edge"])
async def test_results_either_side_of_an_edge_land_in_their_own_hour(
    store: HistoryStore, clock: FakeClock, edge_hours: int
) -> None:
    edge = T0 + edge_hours * HOUR
    await record_at(store, clock, edge + HOUR, rounds("omdb", edge - timedelta(seconds=10), 2))
    first, second = await store.hourly("omdb", T0, edge + HOUR)
    assert (first.hour, first.ok) == (int((edge - HOUR).timestamp()), 1)
    assert (second.hour, second.ok) == (int(edge.timestamp()), 1)


async def test_a_late_result_for_a_rolled_up_hour_updates_its_aggregate(
    store: HistoryStore, clock: FakeClock
) -> None:
    await record_at(store, clock, T0 + 2 * HOUR, rounds("anidb", T0, 3))
    await record_at(store, clock, T0 + 2 * HOUR, rounds("anidb", T0 + timedelta(minutes=30), 2, latency=400))
    (hour,) = await store.hourly("anidb", T0, T0 + HOUR)
    assert hour.ok == 5 and hour.latency_max == 400


async def test_raw_results_are_kept_48_hours_and_aggregates_history_days(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", interval_seconds=10, keep_days=3, clock=clock)
    try:
        for hour in range(4 * 24):
            start = T0 + hour * HOUR
            await record_at(store, clock, start + HOUR, rounds("jellyfin", start, 2, every=1800))
        now = T0 + 4 * 24 * HOUR
        samples = (await store.samples(T0, now))["jellyfin"]
        assert samples[0].moment == now - 48 * HOUR
        assert len(samples) == 2 * 48
        hours = await store.hourly("jellyfin", T0, now)
        assert hours[0].hour == int((now - 3 * 24 * HOUR).timestamp())
        assert len(hours) == 3 * 24
    finally:
        await store.close()


async def test_a_malformed_result_stores_nothing_of_its_round(store: HistoryStore, clock: FakeClock) -> None:
    naive = Observation("tmdb", T0.replace(tzinfo=None), Status.OK, 10.0)
    with pytest.raises(ValueError, match="time zone"):
        await record_at(store, clock, T0, [*rounds("tmdb", T0, 3), naive])
    with pytest.raises(ValueError, match="latency"):
        await store.record([Observation("tmdb", T0, Status.OK, -5.0)])
    with pytest.raises(ValueError, match="target"):
        await store.record([Observation("", T0, Status.OK, 5.0)])
    assert await store.samples(T0 - HOUR, T0 + HOUR) == {}


async def test_the_write_ahead_log_is_emptied_when_an_hour_is_rolled_up(
    tmp_path: Path, store: HistoryStore, clock: FakeClock
) -> None:
    await record_at(store, clock, T0, rounds("tmdb", T0, 1))
    await record_at(store, clock, T0 + timedelta(minutes=59), rounds("tmdb", T0 + timedelta(seconds=10), 354))
    wal = tmp_path / "history.sqlite3-wal"
    assert wal.stat().st_size > 0
    await record_at(store, clock, T0 + HOUR, rounds("tmdb", T0 + HOUR, 1))
    assert wal.stat().st_size == 0
    with sqlite3.connect(tmp_path / "history.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_targets_are_listed_in_the_order_they_first_appeared(
    store: HistoryStore, clock: FakeClock
) -> None:
    await record_at(store, clock, T0, rounds("tmdb", T0, 1) + rounds("anidb", T0, 1))
    await record_at(store, clock, T0, rounds("jellyfin", T0, 1))
    assert await store.targets() == ["anidb", "tmdb", "jellyfin"]


async def test_a_damaged_state_file_is_reported_in_words_not_as_a_crash(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database " * 200)
    store = HistoryStore(path, clock=clock)
    try:
        with pytest.raises(HistoryUnavailable, match="unusable"):
            await store.record(rounds("tmdb", T0, 1))
    finally:
        await store.close()
    assert path.read_bytes().startswith(b"this is not a database")
