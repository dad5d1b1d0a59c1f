"""Benchmark: the alert engine's speed and memory, and one real monitor round's concurrency.

1. The engine (the incident state machine) through 100,000 simulated rounds of 8 targets with an
   injected clock, the statuses a mix of healthy stretches, outages, degradations and flapping, so
   every transition runs. Prints rounds per second, the ratio to a baseline that only builds the
   same results (measured in the same run), and this process's RSS growth over the run
   (target < 10 MiB: no leak; the engine's memory must not grow with the rounds).
2. One real monitor round against the fake services, each answering after 1 s, beside the
   database, backups and log targets. Baseline: the slowest service checked alone, same run.
   Target: round / baseline ≤ 1.2 (the targets run concurrently).

Run: .venv/bin/python bench/monitor_bench.py   (about half a minute; never run by the test suite)
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot import event_loop
from bot.alerts.engine import AlertEngine, AlertPolicy
from bot.alerts.log_watch import LogWatcher
from bot.alerts.monitor import Monitor
from bot.alerts.notices import Notice
from bot.alerts.results import TARGETS, TargetResult
from bot.alerts.store import AlertStore
from bot.alerts.targets import BackupsTarget, DatabaseTarget, ServicesTarget
from bot.backups.service import BackupService
from bot.backups.sidecar_seal import KEY_FILE_NAME, SidecarSeal
from bot.config import Settings
from bot.database.connection import Database
from bot.redact import Redactor
from bot.services.anidb_guard import REQUEST_INTERVAL_SECONDS, RequestSpacing
from bot.services.catalog import SERVICE_KEYS
from bot.services.runner import CheckRunner
from bot.state import StateStore
from bot.status import Status
from tests.fakes.services import running_fake_services

ROUNDS = 100_000
TARGET_RSS_GROWTH = 10 * 1024 * 1024
DELAY_SECONDS = 1.0
TARGET_ROUND_RATIO = 1.2
START = datetime(2026, 11, 30, tzinfo=UTC)
ROUND = timedelta(minutes=5)


def status_script(seed: int) -> list[Status]:
    """A repeating pattern per target: long healthy runs, outages, degradations, flapping bursts."""
    rng = random.Random(seed)
    script: list[Status] = []
    while len(script) < 5000:
        roll = rng.random()
        if roll < 0.6:
            script += [Status.OK] * rng.randint(5, 60)
        elif roll < 0.75:
            script += [Status.FAILED] * rng.randint(1, 30)
        elif roll < 0.85:
            script += [Status.DEGRADED] * rng.randint(1, 20)
        elif roll < 0.95:
            script += [Status.OK, Status.FAILED] * rng.randint(2, 6)
        else:
            script += [Status.NOT_CONFIGURED] * rng.randint(1, 10)
    return script


def build_round(scripts: list[list[Status]], number: int, at: datetime) -> list[TargetResult]:
    return [
        TargetResult(target, at, script[number % len(script)], 12.0, "detail", "hint")
        for target, script in zip(TARGETS, scripts, strict=True)
        if target != "log"
    ] + [TargetResult("log", at, Status.OK, None, "No new errors")]


def run_baseline(scripts: list[list[Status]]) -> float:
    started = time.perf_counter()
    for number in range(ROUNDS):
        build_round(scripts, number, START + number * ROUND)
    return time.perf_counter() - started


def run_engine(scripts: list[list[Status]], rounds: int) -> tuple[AlertEngine, float, int]:
    """The engine after ``rounds`` (kept alive, so its memory counts), the seconds taken, notices sent."""
    engine = AlertEngine(AlertPolicy(reminder=timedelta(hours=6)))
    sent = 0
    started = time.perf_counter()
    for number in range(rounds):
        at = START + number * ROUND
        if number % 20_000 == 10_000:
            engine.pause(at + timedelta(hours=2), at)
        notices: list[Notice] = engine.observe(build_round(scripts, number, at), at)
        sent += len(notices)
    return engine, time.perf_counter() - started, sent


def engine_bench() -> bool:
    scripts = [status_script(seed) for seed in range(len(TARGETS))]
    process = psutil.Process()
    run_engine(scripts, ROUNDS // 10)  # warm up imports and allocator pools before measuring memory
    baseline = run_baseline(scripts)
    gc.collect()
    rss_before = process.memory_info().rss
    engine, elapsed, sent = run_engine(scripts, ROUNDS)
    gc.collect()
    growth = process.memory_info().rss - rss_before  # measured while the engine is still alive
    targets = len(engine.state.targets)
    rate = ROUNDS / elapsed
    print(f"engine: {ROUNDS:,} rounds of {targets} targets in {elapsed:.2f} s = {rate:,.0f} rounds/s")
    ratio = elapsed / baseline
    print(f"  baseline (building the results only): {baseline:.2f} s; engine / baseline = {ratio:.2f}")
    print(f"  notices decided: {sent:,}")
    ok = growth < TARGET_RSS_GROWTH
    verdict = "OK" if ok else "FAIL"
    print(f"  RSS growth over the run: {growth / 1024 / 1024:.1f} MiB (target < 10 MiB) {verdict}")
    return ok


async def discard(notice: Notice, late: bool) -> None:
    """The bench posts nowhere."""


async def round_bench() -> bool:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as data_dir:
        async with running_fake_services() as fakes, aiohttp.ClientSession() as http:
            for key in SERVICE_KEYS:
                fakes[key].delay = DELAY_SECONDS
            # Without a user id Jellyfin is one request, like every other service: each takes 1 s.
            settings = fakes.settings(DATA_DIR=data_dir, HTTP_TIMEOUT_SECONDS="5", JELLYFIN_USER_ID=None)
            root = Path(data_dir)
            redactor = Redactor(settings.secrets())  # the process's one, as the Runtime's

            async def runner_in(name: str) -> tuple[CheckRunner, StateStore]:
                state = StateStore(root / name / "state.sqlite3")
                spacing = RequestSpacing(REQUEST_INTERVAL_SECONDS)
                database = Database(None, redactor=redactor)
                checks = CheckRunner(
                    settings, http, database, state, redactor=redactor, anidb_spacing=spacing
                )
                return checks, state

            baseline_runner, baseline_state = await runner_in("baseline")
            started = time.perf_counter()
            await baseline_runner.check("jellyfin")
            baseline = time.perf_counter() - started
            await baseline_state.close()

            runner, state = await runner_in("monitor")
            (root / "aphrodite-v2.log").write_text("2026-11-30 00:00:00 [INFO] app:1: started\n")
            monitor = Monitor(
                targets=[
                    ServicesTarget(runner),
                    DatabaseTarget(Database(None, redactor=redactor)),
                    BackupsTarget(
                        Settings(),
                        BackupService(
                            Database(None, redactor=redactor),
                            root / "backups",
                            redactor=redactor,
                            seal=SidecarSeal(root / KEY_FILE_NAME, root / "backups"),
                        ),
                        state,
                    ),
                    LogWatcher(root / "aphrodite-v2.log", redactor),
                ],
                policy=AlertPolicy(),
                store=AlertStore(state),
                deliver=discard,
                interval=300,
            )
            started = time.perf_counter()
            results = await monitor.run_round()
            elapsed = time.perf_counter() - started
            await state.close()
    ratio = elapsed / baseline
    ok = ratio <= TARGET_ROUND_RATIO and elapsed <= TARGET_ROUND_RATIO * DELAY_SECONDS
    print(f"round: {len(results)} targets, every service answering after {DELAY_SECONDS:g} s")
    print(f"  slowest service alone: {baseline:.2f} s; one monitor round: {elapsed:.2f} s")
    verdict = "OK" if ok else "FAIL"
    print(f"  round / slowest = {ratio:.2f} (target ≤ {TARGET_ROUND_RATIO}, and ≤ 1.2 s) {verdict}")
    return ok


def main() -> int:
    engine_ok = engine_bench()
    round_ok = event_loop.run(round_bench())
    return 0 if engine_ok and round_ok else 1


if __name__ == "__main__":
    sys.exit(main())
