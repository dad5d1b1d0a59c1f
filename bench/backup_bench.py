"""Benchmark: the bot's compressed backup against a plain `pg_dump | gzip -6` of the same database.

Starts its own throwaway PostgreSQL cluster, fills Aphrodite's schema with at least 200 MB of rows,
then times, alternately and in the same run, the baseline shell pipeline and `BackupService.create`
(same pg_dump flags, same gzip level 6). The bot's time includes what the baseline does not do:
sha256, fsync, reading the whole file back to verify it, and the sidecar. While the bot's backup
runs, a thread samples this process's RSS. Targets: time ratio ≤ 1.1, peak RSS growth < 50 MiB.

Run: .venv/bin/python bench/backup_bench.py   (takes a few minutes; never run by the test suite)
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot.backups.pg_tools import PgTools, libpq_environment
from bot.backups.service import BackupService
from bot.config import Secret
from bot.database.connection import Database
from bot.units import human_bytes
from tests.support.databases import TEMPLATE, clone_database, prepare_template
from tests.support.postgres_cluster import PostgresCluster

MIN_DATABASE_BYTES = 200 * 1024 * 1024
RUNS = 5
TARGET_RATIO = 1.1
TARGET_RSS_GROWTH = 50 * 1024 * 1024
FILL_BATCH = 250_000


async def fill(dsn: str) -> int:
    """Add rows until the database holds at least MIN_DATABASE_BYTES; returns its size."""
    connection = await asyncpg.connect(dsn)
    try:
        batch = 0
        while (size := await connection.fetchval("SELECT pg_database_size(current_database())")) < (
            MIN_DATABASE_BYTES
        ):
            first = 10_000 + batch * FILL_BATCH
            await connection.execute(
                "INSERT INTO media_items "
                "(jellyfin_id, title, media_type, year, imdb_id, tmdb_id, poster_path) "
                "SELECT md5('b' || i), 'Bench title ' || i || ' ' || repeat(chr(97 + i % 26), i % 40), "
                "CASE WHEN i % 3 = 0 THEN 'series' ELSE 'movie' END, 1950 + i % 75, "
                "'tt' || lpad(i::text, 8, '0'), i, '/posters/' || i || '.jpg' "
                "FROM generate_series($1::int, $2::int) AS i",
                first,
                first + FILL_BATCH - 1,
            )
            await connection.execute(
                "INSERT INTO media_activities (media_item_id, activity_type, details) "
                "SELECT 1 + i % 3000, 'badge_applied', jsonb_build_object('n', i, 'hash', md5(i::text), "
                "'badges', jsonb_build_array('audio', 'resolution', 'review'), 'took_ms', i % 997) "
                "FROM generate_series($1::int, $2::int) AS i",
                first,
                first + 2 * FILL_BATCH - 1,
            )
            batch += 1
        await connection.execute("VACUUM ANALYZE")
        return size
    finally:
        await connection.close()


async def baseline(database: Database, target: Path) -> tuple[float, int]:
    """`pg_dump --clean --if-exists | gzip -6 > target`: seconds and file size."""
    pg_dump = shlex.quote(PgTools().locate("pg_dump"))
    command = (
        f"{pg_dump} --format=plain --clean --if-exists --no-password | gzip -6 > {shlex.quote(str(target))}"
    )
    started = time.perf_counter()
    process = await asyncio.create_subprocess_shell(
        f"set -o pipefail; {command}",
        executable="/bin/bash",
        env=libpq_environment(database.parts, application_name="bench baseline"),
    )
    if await process.wait() != 0:
        raise SystemExit("the baseline pg_dump | gzip failed")
    elapsed = time.perf_counter() - started
    size = (await asyncio.to_thread(target.stat)).st_size
    await asyncio.to_thread(target.unlink)
    return elapsed, size


class RssSampler:
    """Peak resident memory of this process, sampled every 10 ms in a thread."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.start_rss = self._process.memory_info().rss
        self.peak_rss = self.start_rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak_rss = max(self.peak_rss, self._process.memory_info().rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak_rss - self.start_rss


async def bot_backup(service: BackupService) -> tuple[float, int, int, int]:
    """The bot's compressed backup: seconds, file size, SQL bytes, peak RSS growth."""
    with RssSampler() as rss:
        started = time.perf_counter()
        result = await service.create(label="benchmark")
        elapsed = time.perf_counter() - started
    await service.delete(result.name, label="benchmark")
    return elapsed, result.size, result.sql_bytes, rss.growth


async def main() -> None:
    print("starting a throwaway PostgreSQL cluster ...", flush=True)
    cluster = await asyncio.to_thread(PostgresCluster.create)
    work = Path(tempfile.mkdtemp(prefix="aphrodite-ops-bench-"))
    try:
        await prepare_template(cluster)
        name = await clone_database(cluster)
        print(
            f"filling {name} (a copy of {TEMPLATE}) to at least {human_bytes(MIN_DATABASE_BYTES)} ...",
            flush=True,
        )
        size = await fill(cluster.dsn(name))
        database = Database(Secret(cluster.dsn(name)))
        service = BackupService(database, work / "backups")
        print(f"database size: {human_bytes(size)}; {RUNS} runs of each, alternating", flush=True)
        base_times, bot_times, growths = [], [], []
        for run in range(1, RUNS + 1):
            base_seconds, base_size = await baseline(database, work / "baseline.sql.gz")
            bot_seconds, bot_size, sql_bytes, growth = await bot_backup(service)
            base_times.append(base_seconds)
            bot_times.append(bot_seconds)
            growths.append(growth)
            print(
                f"  run {run}: baseline {base_seconds:.2f} s ({human_bytes(base_size)}), "
                f"bot {bot_seconds:.2f} s ({human_bytes(bot_size)}, {human_bytes(sql_bytes)} of SQL), "
                f"RSS growth {human_bytes(growth)}",
                flush=True,
            )
        await database.close()
        report(base_times, bot_times, growths)
    finally:
        await asyncio.to_thread(cluster.destroy)
        await asyncio.to_thread(shutil.rmtree, work, True)


def report(base_times: list[float], bot_times: list[float], growths: list[int]) -> None:
    base, bot = statistics.median(base_times), statistics.median(bot_times)
    ratio = bot / base
    peak = max(growths)
    print()
    print(f"baseline pg_dump | gzip -6 (median): {base:.2f} s")
    print(f"bot backup, compressed (median):     {bot:.2f} s")
    verdict = _verdict(ratio <= TARGET_RATIO)
    print(f"ratio bot / baseline:                {ratio:.3f} (target <= {TARGET_RATIO}) {verdict}")
    print(
        f"peak RSS growth during a backup:     {human_bytes(peak)} "
        f"(target < {human_bytes(TARGET_RSS_GROWTH)}) {_verdict(peak < TARGET_RSS_GROWTH)}"
    )
    best = min(bot_times) / min(base_times)
    print(f"ratio of the best runs:              {best:.3f}")
    print(f"CPUs: {os.cpu_count()}; other work on the machine makes single runs noisy, hence the median")


def _verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


if __name__ == "__main__":
    asyncio.run(main())
