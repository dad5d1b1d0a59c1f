"""Benchmark: how long the CLI and the bot take to start, as ratios against `python -c pass`.

Each command runs in a fresh interpreter, interleaved with the baseline (so a busy machine slows
both alike), in an empty folder with no configuration; the median of the runs is compared.
Targets: `--help` and `logs status` ≤ 4× `python -c pass`. `check all` (nothing configured) and
`import bot.app` (the bot's own start) are printed to compare before and after a change.
Run: .venv/bin/python bench/startup_bench.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
TARGET_RATIO = 4.0
BASELINE = ("-c", "pass")
CASES = {
    "python -m bot --help": (("-m", "bot", "--help"), TARGET_RATIO),
    "python -m bot logs status": (("-m", "bot", "logs", "status"), TARGET_RATIO),
    "python -m bot check all (not configured)": (("-m", "bot", "check", "all"), None),
    'python -c "import bot.app"': (("-c", "import bot.app"), None),
}


def seconds(argv: tuple[str, ...], cwd: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    missed = False
    with tempfile.TemporaryDirectory() as folder:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "DATA_DIR": folder}
        env["APHRODITE_LOG_FILE"] = str(Path(folder) / "aphrodite.log")
        for argv, _ in CASES.values():  # warm the file cache and the .pyc files once
            seconds(argv, folder, env)
        print(f"{RUNS} interleaved runs each; medians against `python -c pass` in the same run")
        for name, (argv, target) in CASES.items():
            baseline, measured = [], []
            for _ in range(RUNS):
                baseline.append(seconds(BASELINE, folder, env))
                measured.append(seconds(argv, folder, env))
            base, value = statistics.median(baseline), statistics.median(measured)
            ratio = value / base
            verdict = ""
            if target is not None:
                verdict = f"  (target ≤ {target:g}×: {'met' if ratio <= target else 'MISSED'})"
                missed |= ratio > target
            print(f"{name:<42} {value * 1000:7.1f} ms = {ratio:5.2f}× {base * 1000:5.1f} ms{verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
