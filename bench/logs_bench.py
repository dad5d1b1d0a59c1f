"""Benchmark: searching a 1 GiB Aphrodite log, against tac/grep measured in the same run.

Generates a realistic log (all three formats, tracebacks; about 10 M lines per GiB) once and
keeps it in /tmp between runs, warms the page cache, then times, best of --runs:

(a) /logs view: the newest 50 ERROR entries matching a word   vs  tac FILE | grep -m 50
(b) /logs count: every ERROR entry matching the word          vs  LC_ALL=C grep -c -i WORD FILE
(c) "N total lines": the first (uncached) line count          vs  wc -l FILE

and the peak RSS growth of this process during each (a thread samples it every millisecond).
Targets: (a) under 100 ms, (b) within 2x grep, peak RSS growth under 64 MiB.
(b) also reports how much of its time the redactor took (a second, instrumented run).

Run: .venv/bin/python bench/logs_bench.py [--size-mb 1024] [--word tmdb]   (never run by the suite)
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot.logs import AphroditeLog, LogQuery, LogView
from bot.redact import Redactor
from bot.units import human_bytes
from tests.logs.generate import write_log_of_size

CACHE_DIR = Path("/tmp/aphrodite-logs-bench")
TARGET_VIEW_SECONDS = 0.1
TARGET_COUNT_RATIO = 2.0
TARGET_RSS_GROWTH = 64 * 1024 * 1024
SECRETS = ("tmdb-key-5f2b9c7e11", "jf-key-a81c3d9f", "pg-pass-77xq")


class PeakRss:
    """Samples this process's RSS in a thread; ``growth`` is the peak above the RSS at start."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.start_rss = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.start_rss


class TimedRedactor(Redactor):
    """The real redactor, adding up the time spent in it (for the instrumented run only)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__(secrets)
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, text: str) -> str:
        started = time.perf_counter()
        try:
            return super().__call__(text)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1

    def redact_bytes(self, data: bytes) -> str:
        started = time.perf_counter()
        try:
            return super().redact_bytes(data)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def shell_seconds(command: str, runs: int) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - started)
        output = done.stdout.strip()
    return best, output


async def ours(work: Callable[[], Awaitable[object]], runs: int) -> tuple[float, int, object]:
    best, growth, result = float("inf"), 0, None
    for _ in range(runs):
        with PeakRss() as rss:
            started = time.perf_counter()
            result = await work()
            best = min(best, time.perf_counter() - started)
        growth = max(growth, rss.growth)
    return best, growth, result


def ensure_log(size_mb: int) -> Path:
    CACHE_DIR.mkdir(exist_ok=True)
    path = CACHE_DIR / f"aphrodite-v2-{size_mb}mb.log"
    if not path.exists() or path.stat().st_size < size_mb * 1024 * 1024:
        print(f"generating {path} ({size_mb} MiB, about {size_mb // 10 + 1} s, kept for later runs)...")
        started = time.perf_counter()
        write_log_of_size(path.with_suffix(".partial"), size_mb * 1024 * 1024)
        path.with_suffix(".partial").rename(path)
        print(f"  generated in {time.perf_counter() - started:.0f} s")
    return path


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


async def main(size_mb: int, word: str, runs: int) -> None:
    path = ensure_log(size_mb)
    quoted = shlex.quote(str(path))
    shell_seconds(f"cat {quoted} > /dev/null", 1)  # page cache: both sides read from memory
    print(f"log: {path} ({human_bytes(path.stat().st_size)}), word {word!r}, best of {runs}\n")
    query = LogQuery.parse("ERROR", word)

    # (c) first, on a fresh instance: its line count is the one a first /logs view pays.
    with PeakRss() as rss:
        started = time.perf_counter()
        status = await AphroditeLog(path, Redactor(SECRETS)).status()
        cold_count = time.perf_counter() - started
    wc, wc_out = shell_seconds(f"LC_ALL=C wc -l < {quoted}", runs)
    assert str(status.total_lines) == wc_out, (status.total_lines, wc_out)
    row("(c) total lines, uncached", cold_count, "wc -l", wc, rss.growth, f"{status.total_lines:,} lines")

    log = AphroditeLog(path, Redactor(SECRETS))
    await log.status()  # as in a running bot: the line count of the file is known
    view_s, view_rss, view = await ours(lambda: log.view(query, 50), runs)
    assert isinstance(view, LogView) and len(view.entries) == 50
    pattern = shlex.quote(f'(\\[ERROR\\]| - ERROR - |"level": "ERROR").*{word}')
    tac, _ = shell_seconds(f"tac {quoted} | LC_ALL=C grep -m 50 -i -E {pattern} | wc -l", runs)
    ok = view_s < TARGET_VIEW_SECONDS
    row(
        f"(a) newest 50 ERROR {word!r}", view_s, "tac | grep -m 50", tac, view_rss, f"< 100 ms: {verdict(ok)}"
    )

    count_s, count_rss, counted = await ours(lambda: log.count(query), runs)
    grep_i, grep_i_out = shell_seconds(f"LC_ALL=C grep -c -i {shlex.quote(word)} {quoted}", runs)
    grep, _ = shell_seconds(f"LC_ALL=C grep -c {shlex.quote(word)} {quoted}", runs)
    ok = count_s / grep_i <= TARGET_COUNT_RATIO
    row(f"(b) count ERROR {word!r}", count_s, "grep -c -i", grep_i, count_rss, f"<= 2x: {verdict(ok)}")
    print(f"    ratio to grep -c (case-sensitive): {count_s / grep:.2f}; {counted.matching:,} entries match, "
          f"{int(grep_i_out):,} lines hold the word")  # fmt: skip

    timed = TimedRedactor(SECRETS)
    started = time.perf_counter()
    await AphroditeLog(path, timed).count(query)
    total = time.perf_counter() - started
    print(f"    instrumented run: {total * 1000:.0f} ms, of which the redactor {timed.seconds * 1000:.0f} ms "
          f"({timed.calls:,} calls, {timed.seconds / max(timed.calls, 1) * 1e6:.1f} µs each)")  # fmt: skip

    peak = max(view_rss, count_rss, rss.growth)
    ok = peak < TARGET_RSS_GROWTH
    print(f"\npeak RSS growth {human_bytes(peak)} (target < {human_bytes(TARGET_RSS_GROWTH)}): {verdict(ok)}")


def row(label: str, ours_s: float, baseline: str, base_s: float, rss_growth: int, note: str) -> None:
    print(
        f"{label:<30} {ours_s * 1000:8.1f} ms   {baseline:<17} {base_s * 1000:8.1f} ms   "
        f"ratio {ours_s / base_s:5.2f}   RSS +{human_bytes(rss_growth):<9}  {note}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--word", default="tmdb")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.size_mb, options.word, options.runs))
