"""Benchmark: `check_all` takes as long as the slowest check, not the sum of them.

Every fake service answers after 1 s. The baseline is the slowest service checked alone, measured
in the same run; the target is check_all / slowest ≤ 1.2. Run: .venv/bin/python bench/check_all.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot.config import Settings
from bot.database.connection import Database
from bot.services.anidb_guard import REQUEST_INTERVAL_SECONDS, RequestSpacing
from bot.services.catalog import SERVICE_KEYS
from bot.services.runner import CheckRunner
from bot.state import StateStore
from tests.fakes.services import running_fake_services

DELAY_SECONDS = 1.0
RUNS = 5
TARGET_RATIO = 1.2


async def timed(
    settings: Settings, http: aiohttp.ClientSession, data_dir: Path, service: str | None
) -> float:
    """Seconds for one check (``service``) or check_all (None) by a fresh runner: no cache, own AniDB slot."""
    state = StateStore(Path(tempfile.mkdtemp(dir=data_dir)) / "state.sqlite3")
    spacing = RequestSpacing(REQUEST_INTERVAL_SECONDS)
    runner = CheckRunner(settings, http, Database(None), state, anidb_spacing=spacing)
    started = time.perf_counter()
    if service is None:
        await runner.check_all()
    else:
        await runner.check(service)
    elapsed = time.perf_counter() - started
    await state.close()
    return elapsed


async def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        async with running_fake_services() as fakes, aiohttp.ClientSession() as http:
            for key in SERVICE_KEYS:
                fakes[key].delay = DELAY_SECONDS
            settings = fakes.settings(HTTP_TIMEOUT_SECONDS="10")

            singles = {key: await timed(settings, http, Path(data_dir), key) for key in SERVICE_KEYS}
            slowest = max(singles.values())
            runs = [await timed(settings, http, Path(data_dir), None) for _ in range(RUNS)]

    print(f"every fake service answers after {DELAY_SECONDS:g} s (Jellyfin: 2 requests)")
    for key, seconds in singles.items():
        print(f"  {key:<9} alone      {seconds:6.3f} s")
    print(f"  sum of the checks      {sum(singles.values()):6.3f} s")
    print(f"check_all, {RUNS} runs:     " + "  ".join(f"{seconds:.3f}" for seconds in runs) + " s")
    median, worst = statistics.median(runs), max(runs)
    verdict = "OK" if worst / slowest <= TARGET_RATIO else "OVER TARGET"
    print(f"slowest single check {slowest:.3f} s")
    print(f"ratio check_all / slowest: median {median / slowest:.2f}, worst {worst / slowest:.2f}")
    print(f"target ≤ {TARGET_RATIO}: {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
