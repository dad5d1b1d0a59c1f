"""Benchmark: a restore drill against the same steps done by hand, on a ~150 MB database.

Starts its own throwaway PostgreSQL cluster, fills Aphrodite's schema to about 150 MB (as
backup_bench.py does), makes one plain backup with the bot, then times, alternately and in the
same run:

  the bot   DrillService.drill: sweep, vet (a full read with sha256), createdb, replay through
            the driver in one transaction, count every table, amcheck (skipped: not installed),
            drop, sidecar
  by hand   createdb; psql -1 -f backup.sql; psql counting every table; dropdb

The ratio is the median of the bot's wall times over the median of the hand's. Goal: <= 1.2.

Run: .venv/bin/python bench/drill_bench.py   (a few minutes; never run by the test suite)
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bench.backup_bench import fill, shell
from bot import event_loop
from bot.backups.compression import Compression
from bot.backups.service import BackupService
from bot.backups.sidecar_seal import KEY_FILE_NAME, SidecarSeal
from bot.config import Secret
from bot.database.connection import Database
from bot.database.leaf_counts import count_leaf_tables
from bot.drills.scratch import ScratchServer
from bot.drills.service import DrillService
from bot.redact import Redactor
from bot.state import StateStore
from bot.units import human_bytes
from tests.support.databases import clone_database, prepare_template
from tests.support.postgres_cluster import PostgresCluster

MB = 1024 * 1024
TARGET_BYTES = 150 * MB
RUNS = 3
GOAL = 1.2


async def by_hand(database: Database, backup: Path, count_sql: str, run: int) -> float:
    scratch = f"bench_by_hand_{run}"
    started = time.perf_counter()
    await shell(database, f"createdb {scratch}")
    await shell(
        database, f"psql -X -q -v ON_ERROR_STOP=1 -1 -d {scratch} -f {shlex.quote(str(backup))} >/dev/null"
    )
    await shell(database, f"psql -X -q -At -d {scratch} -c {shlex.quote(count_sql)} >/dev/null")
    await shell(database, f"dropdb {scratch}")
    return time.perf_counter() - started


async def by_bot(drills: DrillService, name: str) -> float:
    started = time.perf_counter()
    result = await drills.drill(name, label="benchmark")
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"the drill failed: {result.findings}")
    return elapsed


async def main() -> None:
    print("starting a throwaway PostgreSQL cluster ...", flush=True)
    cluster = await asyncio.to_thread(PostgresCluster.create)
    work = Path(tempfile.mkdtemp(prefix="aphrodite-ops-drill-bench-"))
    try:
        await prepare_template(cluster)
        name = await clone_database(cluster)
        size = await fill(cluster.dsn(name), TARGET_BYTES)
        redactor = Redactor()
        database = Database(Secret(cluster.dsn(name)), redactor=redactor)
        seal = SidecarSeal(work / KEY_FILE_NAME, work / "backups")
        backups = BackupService(database, work / "backups", redactor=redactor, seal=seal)
        state = StateStore(work / "state.sqlite3")
        server = ScratchServer(Secret(cluster.dsn(name)), redactor=redactor)
        drills = DrillService(backups, server, state, redactor=redactor)
        backup = await backups.create(label="benchmark", compression=Compression.NONE)
        connection = await asyncpg.connect(cluster.dsn(name))
        try:
            tables = await count_leaf_tables(connection, timeout=None)
        finally:
            await connection.close()
        count_sql = "; ".join(f"SELECT count(*) FROM ONLY {table}" for table in tables)
        print(
            f"database at {human_bytes(size)}, backup {backup.name} {human_bytes(backup.size)}, "
            f"{len(tables)} tables; {RUNS} runs each, alternating",
            flush=True,
        )
        bot_runs, hand_runs = [], []
        for run in range(RUNS):
            bot_runs.append(await by_bot(drills, backup.name))
            hand_runs.append(await by_hand(database, backup.path, count_sql, run))
            print(f"  run {run + 1}: drill {bot_runs[-1]:.2f} s, by hand {hand_runs[-1]:.2f} s", flush=True)
        ratio = statistics.median(bot_runs) / statistics.median(hand_runs)
        verdict = "OK" if ratio <= GOAL else "OVER GOAL"
        bot_median, hand_median = statistics.median(bot_runs), statistics.median(hand_runs)
        print(
            f"drill vs createdb + psql -1 -f + counts + dropdb: median {bot_median:.2f} s vs "
            f"{hand_median:.2f} s, ratio {ratio:.2f}x (goal <= {GOAL}x): {verdict}"
        )
        await state.close()
        await database.close()
    finally:
        await asyncio.to_thread(cluster.destroy)
        await asyncio.to_thread(shutil.rmtree, work, True)


if __name__ == "__main__":
    event_loop.run(main())
