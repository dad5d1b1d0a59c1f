"""Benchmark: searching a log where most lines carry a credential, against grep, in the same run.

Builds two logs once (kept in /tmp between runs): 50 MiB and 1 GiB of Aphrodite's lines where
about nine lines in ten hold a credential (the TMDB key the bot knows in a query string, a
Jellyfin token in an Authorization header, unknown ``apikey=`` values, a database URL with its
password). Warms the page cache, then times each pair ours/peer ``--runs`` times, alternating,
in process (`AphroditeLog`, what the bot pays per command), and prints medians and the ratio:

(a) logs count --search WORD                    vs  grep -c -i WORD
(b) logs download --search WORD (the export)    vs  grep -i WORD > file
(c) with --dense: logs count --search tmdb (on most lines: each of them redacted to decide)

WORD defaults to Living, which the log never holds (the issue's case: "even for a term that
matches nothing"). Target: (a) and (b) at most 3x grep on both sizes.

Run: .venv/bin/python bench/credential_log_bench.py [--word Living] [--runs 3] [--skip-large]
(never run by the suite; the machine is shared: run it once, not in a loop)
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot import event_loop
from bot.logs import AphroditeLog, LogQuery, NothingToExport
from bot.redact import Redactor
from bot.units import human_bytes

CACHE_DIR = Path("/tmp/aphrodite-credential-bench")
SECRETS = ("tmdb-key-5f2b9c7e11", "jf-key-a81c3d9f-77aa", "pg-pass-77xq")
TARGET_RATIO = 3.0
MIB = 1024 * 1024


def _block(lines: int = 40_000) -> bytes:
    """About 4 MiB of lines, nine in ten with a credential; the logs repeat it."""
    tmdb, jellyfin, password = SECRETS
    out = []
    for n in range(lines):
        stamp = f"2026-11-28 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
        kind = n % 10
        if kind < 4:
            message = f"[INFO] app.services.tmdb:88: GET /3/movie/{n}?api_key={tmdb}&language=en 200"
        elif kind < 6:
            message = (
                f'[INFO] app.services.jellyfin:41: headers: Authorization: MediaBrowser Token="{jellyfin}"'
            )
        elif kind < 8:
            message = f"[WARNING] app.services.omdb:17: GET /?apikey=k{n:07d}&i=tt{n:07d} slow (812 ms)"
        elif kind < 9:
            message = f"[ERROR] app.core.database:57: postgresql://aphrodite:{password}@db:5432/x refused"
        else:
            message = f"[INFO] app.workers.badge_processor:214: Processed poster for item {n} in 42 ms"
        out.append(f"{stamp} {message}\n")
    return "".join(out).encode()


def ensure_log(size_mb: int) -> Path:
    CACHE_DIR.mkdir(exist_ok=True)
    path = CACHE_DIR / f"credentials-{size_mb}mb.log"
    if not path.exists() or path.stat().st_size < size_mb * MIB:
        print(f"generating {path} ({size_mb} MiB, kept for later runs)...")
        block = _block()
        partial = path.with_suffix(".partial")
        with partial.open("wb") as file:
            for _ in range(-(-size_mb * MIB // len(block))):
                file.write(block)
        partial.rename(path)
    return path


def shell(command: str) -> float:
    started = time.perf_counter()
    subprocess.run(["bash", "-c", command], capture_output=True, check=False)
    return time.perf_counter() - started


class Pair:
    """One row: ours and the peer, run alternately; medians and their ratio."""

    def __init__(self, label: str, peer: str) -> None:
        self.label, self.peer = label, peer
        self.ours: list[float] = []
        self.theirs: list[float] = []

    def print(self, target: float | None) -> None:
        ours, theirs = statistics.median(self.ours), statistics.median(self.theirs)
        ratio = ours / theirs
        verdict = "" if target is None else f"<= {target:g}x: {'ok' if ratio <= target else 'MISSED'}"
        print(
            f"{self.label:<40} {ours * 1000:9.1f} ms   {self.peer:<22} {theirs * 1000:8.1f} ms   "
            f"ratio {ratio:6.2f}   {verdict}"
        )


async def timed(work: functools.partial[object]) -> float:
    started = time.perf_counter()
    result = work()
    if asyncio.iscoroutine(result):
        await result
    return time.perf_counter() - started


async def export(log: AphroditeLog, query: LogQuery) -> None:
    try:
        async with log.export(query) as exported:
            exported.path.stat()
    except NothingToExport:  # the whole log was searched and nothing matched
        pass


async def main(word: str, runs: int, sizes: tuple[int, ...], dense_too: bool) -> None:
    w = shlex.quote(word)
    for size_mb in sizes:
        path = ensure_log(size_mb)
        q = shlex.quote(str(path))
        shell(f"cat {q} > /dev/null")  # page cache: both sides read from memory
        print(f"\n{path.name} ({human_bytes(path.stat().st_size)}), medians of {runs} interleaved runs:")
        work = Path(tempfile.mkdtemp(prefix="credential-bench-"))
        log = AphroditeLog(path, Redactor(SECRETS), work_dir=work, time_budget=3600)
        searched, dense = LogQuery.parse("ALL", word), LogQuery.parse("ALL", "tmdb")
        count = Pair(f"(a) count --search {word}", "grep -c -i")
        download = Pair(f"(b) download --search {word}", "grep -i > file")
        for _ in range(runs):
            count.ours.append(await timed(functools.partial(log.count, searched)))
            count.theirs.append(shell(f"LC_ALL=C grep -c -i {w} {q}"))
            download.ours.append(await timed(functools.partial(export, log, searched)))
            download.theirs.append(shell(f"LC_ALL=C grep -i {w} {q} > {shlex.quote(str(work / 'grep.out'))}"))
        count.print(TARGET_RATIO)
        download.print(TARGET_RATIO)
        if dense_too and size_mb == sizes[0]:
            scale = Pair("(c) count --search tmdb (most lines)", "grep -c -i")
            scale.ours.append(await timed(functools.partial(log.count, dense)))
            scale.theirs.append(shell(f"LC_ALL=C grep -c -i tmdb {q}"))
            scale.print(None)
        log.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--word", default="Living")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true", help="only the 50 MiB log")
    parser.add_argument("--dense", action="store_true", help="also (c), on the 50 MiB log (about a minute)")
    options = parser.parse_args()
    sizes = (50,) if options.skip_large else (50, 1024)
    event_loop.run(main(options.word, options.runs, sizes, options.dense))
