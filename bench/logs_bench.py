"""Benchmark: the log commands against grep and friends, measured in the same run, interleaved.

Generates realistic logs (all three formats, tracebacks; about 10 M lines per GiB) once and keeps
them in /tmp between runs, warms the page cache, then times each pair ours/peer ``--runs`` times,
alternating, and prints medians and their ratio. Two kinds of figures, labelled:

* CLI: ``python -m bot logs ...`` run from the shell, as a user does (start-up included), against
  the shell pipeline that answers the same question;
* in-process: `AphroditeLog` called in this process (what the bot pays per command), against
  the same peer.

Pairs (``WORD`` defaults to tmdb):
(a) logs view --level ERROR --search WORD --lines 50, small and large log  vs  tac | grep | grep -m 50
(b) logs count --level ERROR --search WORD                                 vs  grep -c -i -E
(c) logs count --search WORD                                               vs  grep -c -i
(d) logs status (its line total, first time)                               vs  wc -l
(e) logs status again (the total kept in the state store), large log       vs  python -c pass
Targets: (a) at most 0.25 s through the CLI, the same on both sizes; (b), (c) at most 2x.

Run: .venv/bin/python bench/logs_bench.py [--size-mb 1024] [--small-mb 10] [--word tmdb] [--runs 5]
(never run by the suite; the machine is shared: run it once, not in a loop)
"""

from __future__ import annotations

import argparse
import functools
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot import event_loop
from bot.logs import AphroditeLog, LogQuery
from bot.redact import Redactor
from bot.units import human_bytes
from tests.logs.generate import write_log_of_size

CACHE_DIR = Path("/tmp/aphrodite-logs-bench")
ROOT = Path(__file__).resolve().parents[1]
TARGET_VIEW_SECONDS = 0.25
TARGET_COUNT_RATIO = 2.0
SECRETS = ("tmdb-key-5f2b9c7e11", "jf-key-a81c3d9f", "pg-pass-77xq")
LEVEL_FIELD = r'(\[ERROR\]| - ERROR - |"level": "ERROR")'


def ensure_log(size_mb: int) -> Path:
    CACHE_DIR.mkdir(exist_ok=True)
    path = CACHE_DIR / f"aphrodite-v2-{size_mb}mb.log"
    if not path.exists() or path.stat().st_size < size_mb * 1024 * 1024:
        print(f"generating {path} ({size_mb} MiB, about {size_mb // 10 + 1} s, kept for later runs)...")
        write_log_of_size(path.with_suffix(".partial"), size_mb * 1024 * 1024)
        path.with_suffix(".partial").rename(path)
    return path


def shell(command: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - started, done.stdout.strip()


def cli_env(log: Path, data_dir: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    return keep | {"APHRODITE_LOG_FILE": str(log), "DATA_DIR": data_dir, "TMDB_API_KEY": SECRETS[0]}


def cli(args: str) -> str:
    return f"cd {shlex.quote(tempfile.gettempdir())} && {shlex.quote(sys.executable)} -m bot logs {args}"


class Pair:
    """One row: ours and the peer, run alternately; medians and their ratio."""

    def __init__(self, label: str, peer: str) -> None:
        self.label, self.peer = label, peer
        self.ours: list[float] = []
        self.theirs: list[float] = []
        self.note = ""

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours) / statistics.median(self.theirs)

    def print(self) -> None:
        ours, theirs = statistics.median(self.ours), statistics.median(self.theirs)
        print(
            f"{self.label:<44} {ours * 1000:8.1f} ms   {self.peer:<22} {theirs * 1000:8.1f} ms   "
            f"ratio {self.ratio:6.2f}   {self.note}"
        )


async def timed(work: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    started = time.perf_counter()
    result = await work()
    return time.perf_counter() - started, result


async def main(size_mb: int, small_mb: int, word: str, runs: int) -> None:
    large, small = ensure_log(size_mb), ensure_log(small_mb)
    for path in (large, small):
        shell(f"cat {shlex.quote(str(path))} > /dev/null")  # page cache: both sides read from memory
    print(f"logs: {large.name} ({human_bytes(large.stat().st_size)}), {small.name}; word {word!r}; "
          f"medians of {runs} interleaved runs\n")  # fmt: skip
    w = shlex.quote(word)
    by_level = shlex.quote(f"{LEVEL_FIELD}.*{word}")
    data_dir = tempfile.mkdtemp(prefix="logs-bench-")

    print("CLI (python -m bot logs ..., start-up included) vs the shell pipeline:")
    rows = []
    for path, name in ((small, f"{small_mb} MiB"), (large, f"{size_mb} MiB")):
        q = shlex.quote(str(path))
        env = cli_env(path, data_dir)
        view = Pair(f"(a) view ERROR {word} 50, {name}", "tac|grep|grep -m50")
        for _ in range(runs):
            view.ours.append(shell(cli(f"view --level ERROR --search {w} --lines 50"), env)[0])
            view.theirs.append(shell(f"tac {q} | LC_ALL=C grep -i -E {shlex.quote(LEVEL_FIELD)} "
                                     f"| LC_ALL=C grep -m 50 -i {w} | wc -l")[0])  # fmt: skip
        view.note = f"<= {TARGET_VIEW_SECONDS * 1000:.0f} ms: {verdict(statistics.median(view.ours) <= 0.25)}"
        rows.append(view)
    q, env = shlex.quote(str(large)), cli_env(large, data_dir)
    for label, args, peer, command in (
        (f"(b) count ERROR {word}", f"count --level ERROR --search {w}", "grep -c -i -E",
         f"LC_ALL=C grep -c -i -E {by_level} {q}"),
        (f"(c) count {word}", f"count --search {w}", "grep -c -i", f"LC_ALL=C grep -c -i {w} {q}"),
    ):  # fmt: skip
        pair = Pair(label, peer)
        for _ in range(runs):
            took, out = shell(cli(args), env)
            pair.ours.append(took)
            took, grep_out = shell(command)
            pair.theirs.append(took)
        ok = verdict(pair.ratio <= TARGET_COUNT_RATIO)
        pair.note = f"<= 2x: {ok}; {out.split(' entries')[0]} entries, grep {grep_out} lines"
        rows.append(pair)
    status = Pair("(d) status, first line total", "wc -l")
    for _ in range(runs):
        fresh = tempfile.mkdtemp(prefix="logs-bench-")  # nothing remembered
        status.ours.append(shell(cli("status"), cli_env(large, fresh))[0])
        status.theirs.append(shell(f"LC_ALL=C wc -l < {q}")[0])
    rows.append(status)
    again, kept = Pair("(e) status again, total kept", "python -c pass"), cli_env(large, data_dir)
    shell(cli("status"), kept)  # counts once; later runs read the kept total
    for _ in range(runs):
        again.ours.append(shell(cli("status"), kept)[0])
        again.theirs.append(shell(f"{shlex.quote(sys.executable)} -c pass")[0])
    rows.append(again)
    start_up = Pair("    for scale: python -m bot logs --help", "python -c pass")
    for _ in range(runs):
        start_up.ours.append(shell(cli("--help"))[0])
        start_up.theirs.append(shell(f"{shlex.quote(sys.executable)} -c pass")[0])
    rows.append(start_up)
    for row in rows:
        row.print()

    print("\nin-process (AphroditeLog, what the bot pays per command) vs the same peer:")
    query, text_only = LogQuery.parse("ERROR", word), LogQuery.parse("ALL", word)
    rows = []
    for path, name in ((small, f"{small_mb} MiB"), (large, f"{size_mb} MiB")):
        q = shlex.quote(str(path))
        log = AphroditeLog(path, Redactor(SECRETS))
        view = Pair(f"(a) view ERROR {word} 50, {name}", "tac|grep|grep -m50")
        for _ in range(runs):
            view.ours.append((await timed(functools.partial(log.view, query, 50)))[0])
            view.theirs.append(shell(f"tac {q} | LC_ALL=C grep -i -E {shlex.quote(LEVEL_FIELD)} "
                                     f"| LC_ALL=C grep -m 50 -i {w} | wc -l")[0])  # fmt: skip
        rows.append(view)
        log.close()
    log = AphroditeLog(large, Redactor(SECRETS))
    for label, chosen, peer, command in (
        (f"(b) count ERROR {word}", query, "grep -c -i -E", f"LC_ALL=C grep -c -i -E {by_level} {q}"),
        (f"(c) count {word}", text_only, "grep -c -i", f"LC_ALL=C grep -c -i {w} {q}"),
    ):
        pair = Pair(label, peer)
        for _ in range(runs):
            pair.ours.append((await timed(functools.partial(log.count, chosen)))[0])
            pair.theirs.append(shell(command)[0])
        pair.note = f"<= 2x: {verdict(pair.ratio <= TARGET_COUNT_RATIO)}"
        rows.append(pair)
    log.close()
    for row in rows:
        row.print()


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--small-mb", type=int, default=10)
    parser.add_argument("--word", default="tmdb")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    event_loop.run(main(options.size_mb, options.small_mb, options.word, options.runs))
