"""Benchmark: how long the CLI and the bot take to start, as ratios against `python -c pass`.

Each command runs in a fresh interpreter, interleaved with the baseline (so a busy machine slows
both alike), in an empty folder with no configuration; the median of the runs is compared.
Targets: `--help` and `logs status` ≤ 4× `python -c pass`. `check all` (nothing configured) and
`import bot.app` (the bot's own start) are for comparing: with ``--against REV`` every case also
runs on that revision of the code (exported with `git archive`), interleaved with this one's.
Run: .venv/bin/python bench/startup_bench.py [--runs N] [--against REV]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
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


def export(revision: str, folder: Path) -> Path:
    """The code of ``revision``, unpacked into ``folder``."""
    archive = subprocess.run(["git", "archive", revision], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=15)
    options.add_argument("--against", metavar="REV", help="also measure this git revision")
    args = options.parse_args()
    missed = False
    with tempfile.TemporaryDirectory() as folder:
        env = {"PATH": os.environ.get("PATH", ""), "DATA_DIR": folder}
        env["APHRODITE_LOG_FILE"] = str(Path(folder) / "aphrodite.log")
        trees = {"this": REPO}
        if args.against:
            trees[args.against] = export(args.against, Path(folder) / "against")
        # PYTHONPATH puts a tree's `bot` first, before the editable install's.
        envs = {name: {**env, "PYTHONPATH": str(tree)} for name, tree in trees.items()}
        for argv, _ in CASES.values():  # warm the file cache and the .pyc files once
            for tree_env in envs.values():
                seconds(argv, folder, tree_env)
        print(f"{args.runs} interleaved runs each; medians against `python -c pass` in the same run")
        for name, (argv, target) in CASES.items():
            baseline: list[float] = []
            measured: dict[str, list[float]] = {tree: [] for tree in envs}
            for _ in range(args.runs):
                baseline.append(seconds(BASELINE, folder, env))
                for tree, tree_env in envs.items():
                    measured[tree].append(seconds(argv, folder, tree_env))
            base = statistics.median(baseline)
            for tree, values in measured.items():
                value = statistics.median(values)
                ratio = value / base
                verdict = ""
                if target is not None and tree == "this":
                    verdict = f"  (target ≤ {target:g}×: {'met' if ratio <= target else 'MISSED'})"
                    missed |= ratio > target
                label = name if len(envs) == 1 else f"{name} [{tree}]"
                print(f"{label:<52} {value * 1000:7.1f} ms = {ratio:5.2f}× {base * 1000:5.1f} ms{verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
