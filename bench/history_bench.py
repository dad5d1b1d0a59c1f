"""Benchmark: 90 days × 8 targets at the 10-second minimum interval, written through the real HistoryStore.

What is written and how: every 10 s of simulated time, one result per target (jellyfin, omdb,
tmdb, mdblist, anidb, database, backups, log; random latency, a failure now and then, a daily
15-minute maintenance window) — 6,220,800 results for 90 days. They go through
``HistoryStore.record`` one simulated hour at a time (2,880 results a call) with the injected
clock at the end of that hour, so the store rolls the hour up, prunes and checkpoints exactly
as it does under the monitor (the same code path; only the call is bigger than one round).
An hourly size sample goes through ``SizeHistory.record`` too.

Prints:
- write throughput, and its ratio against a baseline measured in the same run: plain sqlite3
  ``executemany`` of the same rows into a bare table of the same shape (no validation, no
  rollup, no pruning) over the first two days;
- one monitor round (8 results, one call) as the monitor makes it, per call;
- the history file on disk after 90 days (file + WAL + shm) and its largest size during the run
  (target < 50 MiB), and the WAL's largest size;
- the /alerts status work: 24 h and 7-day uptime of 8 targets + the status chart (target < 1 s;
  the first render also pays matplotlib's import, shown apart);
- the peak RSS growth of this process during a render (target < 150 MiB).

Run: .venv/bin/python bench/history_bench.py [--days 90]   (never run by the suite)
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bench.logs_bench import PeakRss
from bot import event_loop
from bot.history import FILE_NAME, HistoryStore, Observation, SizeSample, TableBytes
from bot.history.status_chart import render_status_chart
from bot.status import Status
from bot.units import human_bytes

TARGETS = ("jellyfin", "omdb", "tmdb", "mdblist", "anidb", "database", "backups", "log")
INTERVAL = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
TARGET_BYTES = 50 * 1024 * 1024
TARGET_STATUS_SECONDS = 1.0
TARGET_RENDER_RSS = 150 * 1024 * 1024
BASELINE_DAYS = 2


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def hour_of_results(start: datetime, rng: random.Random) -> list[Observation]:
    results = []
    for second in range(0, 3600, INTERVAL):
        at = start + timedelta(seconds=second)
        paused = at.hour == 3 and at.minute < 15
        for index, target in enumerate(TARGETS):
            roll = rng.random()
            if roll < 0.002:
                results.append(Observation(target, at, Status.FAILED, None, "timeout", paused))
            else:
                status = Status.DEGRADED if roll < 0.01 else Status.OK
                latency = rng.lognormvariate(4.5 + index * 0.15, 0.4)
                results.append(Observation(target, at, status, latency, "", paused))
    return results


def baseline_rows_per_second(hours: list[list[Observation]]) -> float:
    """Plain sqlite3 inserts of the same rows, one transaction an hour, no history logic."""
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "baseline.sqlite3")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(
            "CREATE TABLE raw (target INTEGER, at INTEGER, status INTEGER, latency_ms INTEGER, "
            "paused INTEGER, PRIMARY KEY (target, at)) WITHOUT ROWID"
        )
        ids = {target: index for index, target in enumerate(TARGETS)}
        codes = {Status.OK: 0, Status.DEGRADED: 1, Status.FAILED: 2, Status.NOT_CONFIGURED: 3}
        started = time.perf_counter()
        for results in hours:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO raw VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            ids[r.target],
                            int(r.at.timestamp()),
                            codes[r.status],
                            None if r.latency_ms is None else round(r.latency_ms),
                            int(r.paused),
                        )
                        for r in results
                    ],
                )
        elapsed = time.perf_counter() - started
        connection.close()
    return sum(len(results) for results in hours) / elapsed


def size_sample(at: datetime, hour: int) -> SizeSample:
    grown = hour * 3 * 1024 * 1024
    tables = (
        TableBytes("media_items", 2 * 1024**3 + grown),
        TableBytes("media_activities", 600 * 1024**2 + grown // 4),
        TableBytes("processing_jobs", 200 * 1024**2),
        TableBytes("badge_applications", 90 * 1024**2),
        TableBytes("schedule_executions", 40 * 1024**2),
    )
    return SizeSample(at, 3 * 1024**3 + grown, tables)


async def main(days: int) -> None:
    rng = random.Random(42)
    folder = Path(tempfile.mkdtemp(prefix="history-bench-"))
    path = folder / FILE_NAME
    clock = Clock()
    store = HistoryStore(path, interval_seconds=INTERVAL, keep_days=90, clock=clock)
    total_hours = days * 24
    print(
        f"writing {days} days × {len(TARGETS)} targets every {INTERVAL} s = "
        f"{total_hours * 360 * len(TARGETS):,} results through HistoryStore.record, an hour a call"
    )
    write_seconds = 0.0
    baseline_hours: list[list[Observation]] = []
    baseline_store_seconds = 0.0
    largest_file = largest_wal = 0
    for hour in range(total_hours):
        start = START + timedelta(hours=hour)
        results = hour_of_results(start, rng)
        if hour < BASELINE_DAYS * 24:
            baseline_hours.append(results)
        clock.now = start + timedelta(hours=1)
        started = time.perf_counter()
        await store.record(results)
        await store.sizes.record(size_sample(clock.now, hour))
        elapsed = time.perf_counter() - started
        write_seconds += elapsed
        if hour < BASELINE_DAYS * 24:
            baseline_store_seconds += elapsed
        if hour % 24 == 23:
            largest_file = max(largest_file, store.file.disk_bytes())
            wal = path.with_name(path.name + "-wal")
            largest_wal = max(largest_wal, wal.stat().st_size if wal.exists() else 0)
        if hour % (24 * 10) == 24 * 10 - 1:
            print(f"  day {(hour + 1) // 24}: {human_bytes(store.file.disk_bytes())} on disk")
    written = total_hours * 360 * len(TARGETS)
    rate = written / write_seconds
    ours_early = len(baseline_hours) * 360 * len(TARGETS) / baseline_store_seconds
    baseline = baseline_rows_per_second(baseline_hours)
    print(f"\nwrite: {rate:,.0f} results/s over {days} days ({write_seconds:.1f} s)")
    print(
        f"  first {BASELINE_DAYS} days: store {ours_early:,.0f}/s vs plain sqlite3 executemany "
        f"{baseline:,.0f}/s: ratio {baseline / ours_early:.2f}x slower"
    )

    # One simulated hour as the monitor writes it: a round (8 results) a call, every 10 s.
    wal = path.with_name(path.name + "-wal")
    round_seconds = []
    for _ in range(359):
        clock.now += timedelta(seconds=INTERVAL)
        one_round = [Observation(t, clock.now, Status.OK, 120.0) for t in TARGETS]
        started = time.perf_counter()
        await store.record(one_round)
        round_seconds.append(time.perf_counter() - started)
    wal_in_hour = wal.stat().st_size
    clock.now += timedelta(seconds=INTERVAL)
    started = time.perf_counter()
    await store.record([Observation(t, clock.now, Status.OK, 120.0) for t in TARGETS])
    rollover = time.perf_counter() - started
    round_seconds.sort()
    print(
        f"one monitor round (8 results, one call): median {round_seconds[180] * 1000:.2f} ms, "
        f"slowest {round_seconds[-1] * 1000:.2f} ms; the round that rolls the hour up, prunes and "
        f"checkpoints: {rollover * 1000:.1f} ms"
    )
    print(
        f"WAL after 359 rounds: {human_bytes(wal_in_hour)}; after the hourly checkpoint: "
        f"{human_bytes(wal.stat().st_size)}"
    )

    size = store.file.disk_bytes()
    ok = size < TARGET_BYTES and largest_file < TARGET_BYTES
    print(
        f"\nhistory file after {days} days: {human_bytes(size)} ({size:,} bytes); largest during the run "
        f"{human_bytes(largest_file)}; WAL at day ends {human_bytes(largest_wal)} "
        f"(target < 50 MiB: {'ok' if ok else 'MISSED'})"
    )

    now = clock.now

    async def status_work() -> bytes:
        for target in TARGETS:
            await store.uptime(target, now - timedelta(hours=24), now)
            await store.uptime(target, now - timedelta(days=7), now)
        return await render_status_chart(store, now=now)

    with PeakRss() as cold_rss:
        started = time.perf_counter()
        png = await status_work()
        cold = time.perf_counter() - started
    best = float("inf")
    growth = 0
    for _ in range(3):
        with PeakRss() as rss:
            started = time.perf_counter()
            png = await status_work()
            best = min(best, time.perf_counter() - started)
        growth = max(growth, rss.growth)
    out = folder / "status.png"
    out.write_bytes(png)
    print(
        f"7-day + 24 h uptime of 8 targets + status chart: {best:.3f} s best of 3 "
        f"(first run, with matplotlib's import: {cold:.3f} s) "
        f"(target < {TARGET_STATUS_SECONDS:g} s: {'ok' if best < TARGET_STATUS_SECONDS else 'MISSED'})"
    )
    print(
        f"first render (matplotlib imported): peak RSS growth {human_bytes(cold_rss.growth)}, "
        f"process peak {human_bytes(cold_rss.peak)}"
    )
    print(
        f"render peak RSS growth: {human_bytes(growth)}; process peak RSS {human_bytes(rss.peak)} "
        f"(target < 150 MiB: {'ok' if growth < TARGET_RENDER_RSS else 'MISSED'})"
    )
    print(f"PNG: {human_bytes(len(png))} at {out}")
    await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    event_loop.run(main(parser.parse_args().days))
