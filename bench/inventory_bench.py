"""Benchmark: listing BACKUP_DIR with every entry vetted, against a bare stat of each entry.

What autocomplete pays on each keystroke: `scan_backups` lstat()s, opens (O_NOFOLLOW|O_NONBLOCK)
and reads the first 8 KiB of every file named like a backup, plus its sidecar. The baseline, timed
alternately in the same run, is `stat()` of every entry. Target: 300 backups listed in under
100 ms (autocomplete must answer within Discord's 3 s with room to spare); the ratio is printed.

Run: .venv/bin/python bench/inventory_bench.py   (a few seconds; never run by the test suite)
"""

from __future__ import annotations

import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot.backups.inventory import scan_backups

BACKUPS = 300
RUNS = 20
TARGET_SECONDS = 0.1


def fill(folder: Path) -> None:
    dump = gzip.compress(b"--\n-- PostgreSQL database dump\n--\n\n" + os.urandom(256 * 1024))
    for index in range(BACKUPS):
        day = f"2025{1 + index // 28:02d}{1 + index % 28:02d}"
        (folder / f"aphrodite_backup_{day}_120000.sql.gz").write_bytes(dump)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        fill(folder)
        baseline, vetted = [], []
        for _ in range(RUNS):
            baseline.append(timed(lambda: [path.stat() for path in folder.iterdir()]))
            vetted.append(timed(lambda: scan_backups(folder)))
        assert len(scan_backups(folder)) == BACKUPS
    base, scan = statistics.median(baseline), statistics.median(vetted)
    print(f"{BACKUPS} backups: stat of each {base * 1000:.1f} ms, vetted listing {scan * 1000:.1f} ms")
    verdict = "met" if scan < TARGET_SECONDS else "MISSED"
    print(f"ratio {scan / base:.1f}x; target under {TARGET_SECONDS * 1000:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
