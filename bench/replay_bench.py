"""Benchmark: the bot's replay of a dump into a fresh database against `psql -1`, plain and gzip.

Starts its own throwaway PostgreSQL cluster and dumps, with the real pg_dump, one or both of:

  objects     a schema of many small objects, the shape of PostgreSQL's regression database:
              TABLES tables, each with a serial, a primary key, a check, an index, a comment, a
              PL/pgSQL function, a view, a trigger and a few rows (about 20 statements each)
  aphrodite   Aphrodite's schema filled to --aphrodite-mb of dump (COPY-heavy, as a real one is)

each as plain SQL and gzip. Then, alternately and in the same run, each into a fresh database:

  bot    stream_restore (the lexer, the allow-list, one transaction through the driver)
  psql   psql -X -q -1 -v ON_ERROR_STOP=1 -f dump.sql, or zcat dump.sql.gz | psql ... for gzip

Each bot run is paired with the psql run right after it, and the ratio is the median of the pairs'
ratios: the machine's speed drifts over a minute (a shared host), and a pair sees the same drift.
The medians of each side's times are printed too. Goal (issue 23): <= 1.15 on both.

Run: .venv/bin/python bench/replay_bench.py [--tables 300] [--aphrodite-mb 300] [--runs 3]
(never run by the test suite)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
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
from bot.backups.pg_tools import PgTools
from bot.backups.restore.replay import stream_restore
from bot.config import Secret
from bot.database.connection import Database
from bot.redact import Redactor
from bot.units import human_bytes
from tests.support.databases import _superuser_execute, clone_database, prepare_template
from tests.support.postgres_cluster import APP_USER, PostgresCluster

MB = 1024 * 1024
GOAL = 1.15
_fresh_names = iter(range(1, 10_000))


def objects_sql(tables: int) -> str:
    """Many small objects of the kinds a regression-style schema holds, about 20 statements a table."""
    return "\n".join(
        f"""CREATE TABLE t{i} (id serial PRIMARY KEY, a text NOT NULL, b integer CHECK (b > 0),
              c timestamptz DEFAULT now(), parent integer REFERENCES t{max(i - 1, 0)} (id));
            CREATE INDEX t{i}_a ON t{i} (a);
            COMMENT ON TABLE t{i} IS 'table {i}';
            COMMENT ON COLUMN t{i}.a IS 'the a of {i}';
            CREATE FUNCTION f{i}(x integer) RETURNS integer LANGUAGE plpgsql
              AS $$ BEGIN RETURN x + {i}; END $$;
            CREATE FUNCTION touch{i}() RETURNS trigger LANGUAGE plpgsql
              AS $$ BEGIN NEW.c := now(); RETURN NEW; END $$;
            CREATE TRIGGER touch BEFORE UPDATE ON t{i} FOR EACH ROW EXECUTE FUNCTION touch{i}();
            CREATE VIEW v{i} AS SELECT id, a FROM t{i} WHERE b > {i};
            INSERT INTO t{i} (a, b) SELECT 'row ' || g, g FROM generate_series(1, 20) g;"""
        for i in range(tables)
    )


async def fresh_database(cluster: PostgresCluster) -> Database:
    name = f"replay_bench_{next(_fresh_names)}"
    await _superuser_execute(cluster, f"CREATE DATABASE {name} OWNER {APP_USER}")
    return Database(Secret(cluster.dsn(name)), redactor=Redactor())


async def dump(cluster: PostgresCluster, database: str, folder: Path) -> tuple[Path, Path]:
    """The plain and the gzip dump of ``database``, made by the real pg_dump."""
    source = Database(Secret(cluster.dsn(database)), redactor=Redactor())
    pg_dump = shlex.quote(PgTools().locate("pg_dump"))
    plain, packed = folder / f"{database}.sql", folder / f"{database}.sql.gz"
    await shell(source, f"{pg_dump} --no-owner --no-privileges > {shlex.quote(str(plain))}")
    await shell(source, f"gzip -6 -c {shlex.quote(str(plain))} > {shlex.quote(str(packed))}")
    await source.close()
    return plain, packed


async def replay(path: Path, sha256: str, database: Database) -> None:
    """The bot's replay of ``path`` into ``database``, as for a backup it sealed."""
    with await asyncio.to_thread(open, path, "rb") as file:
        await stream_restore(
            path,
            file,
            expected_sha256=sha256,
            made_here=True,
            database=database,
            redactor=Redactor(),
            lock_timeout_seconds=15,
            progress=lambda file_bytes, sql_bytes: None,
            budget_seconds=3600,
        )


async def by_bot(cluster: PostgresCluster, path: Path, sha256: str) -> float:
    database = await fresh_database(cluster)
    started = time.perf_counter()
    await replay(path, sha256, database)
    elapsed = time.perf_counter() - started
    await database.close()
    return elapsed


async def by_psql(cluster: PostgresCluster, path: Path) -> float:
    database = await fresh_database(cluster)
    psql = f"{shlex.quote(PgTools().locate('psql'))} -X -q -1 -v ON_ERROR_STOP=1 >/dev/null"
    quoted = shlex.quote(str(path))
    command = f"zcat {quoted} | {psql}" if path.suffix == ".gz" else f"{psql} -f {quoted}"
    started = time.perf_counter()
    await shell(database, command)
    elapsed = time.perf_counter() - started
    await database.close()
    return elapsed


async def compare(cluster: PostgresCluster, label: str, path: Path, runs: int) -> float:
    data = await asyncio.to_thread(path.read_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    bot_runs, psql_runs = [], []
    for _ in range(runs):
        bot_runs.append(await by_bot(cluster, path, sha256))
        psql_runs.append(await by_psql(cluster, path))
    pairs = [bot / psql for bot, psql in zip(bot_runs, psql_runs, strict=True)]
    ratio = statistics.median(pairs)
    verdict = "OK" if ratio <= GOAL else "OVER GOAL"
    print(
        f"{label:<24} {human_bytes(len(data)):>10}  bot {statistics.median(bot_runs):6.2f} s  "
        f"psql {statistics.median(psql_runs):6.2f} s  ratio {ratio:.2f}x (goal <= {GOAL}x): {verdict}\n"
        f"{'':<24} pairs: {', '.join(f'{pair:.2f}' for pair in pairs)}",
        flush=True,
    )
    return ratio


async def main(tables: int, aphrodite_mb: int, runs: int) -> None:
    print("starting a throwaway PostgreSQL cluster ...", flush=True)
    cluster = await asyncio.to_thread(PostgresCluster.create)
    folder = Path(tempfile.mkdtemp(prefix="aphrodite-ops-replay-bench-"))
    try:
        await prepare_template(cluster)
        subjects: list[tuple[str, Path, Path]] = []
        if tables:
            objects = await fresh_database(cluster)
            connection = await asyncpg.connect(cluster.dsn(objects.parts.database))
            await connection.execute(objects_sql(tables))
            await connection.close()
            subjects.append((f"{tables} tables", *await dump(cluster, objects.parts.database, folder)))
        if aphrodite_mb:
            name = await clone_database(cluster)
            await fill(cluster.dsn(name), aphrodite_mb * MB * 17 // 10)  # a dump is ~0.6 of the database
            subjects.append(("aphrodite", *await dump(cluster, name, folder)))
        print(f"{runs} runs each, alternating; medians", flush=True)
        for label, plain, packed in subjects:
            await compare(cluster, f"{label}, plain", plain, runs)
            await compare(cluster, f"{label}, gzip", packed, runs)
    finally:
        await asyncio.to_thread(cluster.destroy)
        await asyncio.to_thread(shutil.rmtree, folder, True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=300, help="tables of the many-objects schema (0: skip)")
    parser.add_argument("--aphrodite-mb", type=int, default=0, help="size of the Aphrodite dump (0: skip)")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    event_loop.run(main(arguments.tables, arguments.aphrodite_mb, arguments.runs))
