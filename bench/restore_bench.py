"""Benchmark: restoring dumps that hold one huge line, against a plain read of the same file.

The audit found the old restore filter quadratic in the length of a line (50/100/200 MiB lines:
1.7/8.2/32.8 s; a 200 MiB COPY row took 65 s and 637 MiB RSS). For lines of 50, 100 and 200 MiB in
a COPY row, and of 8, 16 and 30 MiB in a SQL string literal (statements over 32 MiB are refused),
this times in the same run:
  read    DumpReader over the file (read + sha256): the floor every restore pays;
  check   inspect_dump, check_dump and the lexer in the one pass that refuses a planted file
          before anything is touched;
  replay  the lexer keeping statement text, as the replay does (COPY rows stream in pieces).
It prints seconds per 100 MiB (flat across sizes = linear), the ratio to `read`, and the peak RSS
growth. With --database it also replays a 200 MiB COPY row into a throwaway cluster
(stream_restore) and times `psql --single-transaction -f` on the same file as the baseline.

Run: .venv/bin/python bench/restore_bench.py [--database]   (never run by the test suite)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bench.measure import RssSampler
from bench.replay_bench import replay
from bot import event_loop
from bot.backups.dump_file import DumpReader
from bot.backups.pg_tools import libpq_environment
from bot.backups.restore.filter import DumpFilter
from bot.backups.restore.inspect import inspect_dump
from bot.config import Secret
from bot.database.connection import Database
from bot.redact import Redactor
from bot.units import human_bytes
from tests.support.databases import clone_database, prepare_template
from tests.support.postgres_cluster import PostgresCluster

MB = 1024 * 1024
SIZES_MB = (50, 100, 200)
# A statement over the lexer's 32 MiB limit is refused, so SQL literals are measured below it.
LITERAL_SIZES_MB = (8, 16, 30)
HEADER = b"--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n\n"
FOOTER = b"\n--\n-- PostgreSQL database dump complete\n--\n\n"
KINDS = {
    "COPY row": (b"COPY public.notes (id, body) FROM stdin;\n1\t", b"\n\\.\n"),
    "SQL literal": (b"COMMENT ON TABLE public.notes IS '", b"';\n"),
}


def write_dump(path: Path, kind: str, size: int) -> None:
    before, after = KINDS[kind]
    block = b"x" * MB
    with open(path, "wb") as file:
        file.write(HEADER + before)
        for _ in range(size // MB):
            file.write(block)
        file.write(after + FOOTER)


def read_only(path: Path) -> None:
    for _ in DumpReader(path).chunks():
        pass


def replay_filter(path: Path) -> None:
    dump_filter = DumpFilter(keep_text=True)
    for chunk in DumpReader(path).chunks():
        dump_filter.feed(chunk)
    dump_filter.finish()


def timed(step: Callable[[Path], None], path: Path) -> tuple[float, int]:
    with RssSampler() as rss:
        started = time.perf_counter()
        step(path)
        elapsed = time.perf_counter() - started
    return elapsed, rss.growth


def filter_bench(folder: Path) -> None:
    print(f"{'line':<12} {'size':>6}  {'step':<7} {'seconds':>8} {'s/100MB':>8} {'× read':>7} {'RSS +':>9}")
    for kind in KINDS:
        for size_mb in LITERAL_SIZES_MB if kind == "SQL literal" else SIZES_MB:
            path = folder / "dump.sql"
            write_dump(path, kind, size_mb * MB)
            base, _ = timed(read_only, path)
            for name, step in (("read", read_only), ("check", inspect_dump), ("replay", replay_filter)):
                elapsed, growth = (base, 0) if name == "read" else timed(step, path)
                print(
                    f"{kind:<12} {size_mb:>4}MB  {name:<7} {elapsed:>8.2f} {elapsed / size_mb * 100:>8.2f} "
                    f"{elapsed / base:>7.2f} {human_bytes(growth):>9}",
                    flush=True,
                )
            path.unlink()


async def database_bench(folder: Path) -> None:
    print("\nstarting a throwaway PostgreSQL cluster ...", flush=True)
    cluster = await asyncio.to_thread(PostgresCluster.create)
    try:
        await prepare_template(cluster)
        path = folder / "dump.sql"
        write_dump(path, "COPY row", 200 * MB)
        data = path.read_bytes()
        path.write_bytes(data.replace(HEADER, HEADER + b"CREATE TABLE public.notes (id int, body text);\n"))
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        for _ in range(2):  # alternate, so both see the same warm caches
            name = await clone_database(cluster)
            database = Database(Secret(cluster.dsn(name)), redactor=Redactor())
            env = libpq_environment(database.parts, application_name="bench psql")
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                shutil.which("psql"),
                "-X",
                "-q",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "DROP TABLE IF EXISTS public.notes",
                "-f",
                str(path),
                env=env,
            )
            assert await process.wait() == 0
            psql_time = time.perf_counter() - started
            name = await clone_database(cluster)
            database = Database(Secret(cluster.dsn(name)), redactor=Redactor())
            with RssSampler() as rss:
                started = time.perf_counter()
                await replay(path, sha256, database)
                ours = time.perf_counter() - started
            await database.close()
            print(
                f"200 MiB COPY row into PostgreSQL: psql {psql_time:.2f} s, stream_restore {ours:.2f} s "
                f"(× {ours / psql_time:.2f}), RSS + {human_bytes(rss.growth)}",
                flush=True,
            )
    finally:
        await asyncio.to_thread(cluster.destroy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="store_true", help="also replay into a real cluster")
    parser.add_argument("--only-database", action="store_true", help="only the replay into a real cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="restore-bench-") as folder:
        if not args.only_database:
            filter_bench(Path(folder))
        if args.database or args.only_database:
            event_loop.run(database_bench(Path(folder)))
    print(f"\nmachine: {os.cpu_count()} CPUs; linear = flat s/100MB across sizes.")


if __name__ == "__main__":
    main()
