"""Benchmark: `check_all` takes as long as the slowest check, and `/check all` is acknowledged at once.

Every fake service answers after 1 s. The baseline is the slowest service checked alone, measured
in the same run; the target is check_all / slowest ≤ 1.2. Then the real bot, logged into the fake
Discord, gets /check all interactions: the time from dispatch to acknowledgement (target p99 ≤ 250 ms
on loopback) and to the answer. Run: .venv/bin/python bench/check_all.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bot import event_loop
from bot.config import Settings
from bot.database.connection import Database
from bot.redact import Redactor
from bot.services.anidb_guard import REQUEST_INTERVAL_SECONDS, RequestSpacing
from bot.services.catalog import SERVICE_KEYS
from bot.services.runner import CheckRunner
from bot.state import StateStore
from tests.fakes.discord import FakeDiscord
from tests.fakes.services import running_fake_services
from tests.support.discord_bot import bot_environment, running_bot

DELAY_SECONDS = 1.0
RUNS = 5
TARGET_RATIO = 1.2
INTERACTIONS = 60
TARGET_ACK_P99_MS = 250


async def timed(
    settings: Settings, http: aiohttp.ClientSession, data_dir: Path, service: str | None
) -> float:
    """Seconds for one check (``service``) or check_all (None) by a fresh runner: no cache, own AniDB slot."""
    state = StateStore(Path(tempfile.mkdtemp(dir=data_dir)) / "state.sqlite3")
    spacing = RequestSpacing(REQUEST_INTERVAL_SECONDS)
    redactor = Redactor(settings.secrets())
    database = Database(None, redactor=redactor)
    runner = CheckRunner(settings, http, database, state, redactor=redactor, anidb_spacing=spacing)
    started = time.perf_counter()
    if service is None:
        await runner.check_all()
    else:
        await runner.check(service)
    elapsed = time.perf_counter() - started
    await state.close()
    return elapsed


async def main() -> None:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as data_dir:
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
    await discord_latencies()


async def discord_latencies() -> None:
    """/check all through the real bot and the fake Discord: acknowledgement and answer times."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as data_dir:
        async with running_fake_services() as fakes, FakeDiscord() as fake:
            for key in SERVICE_KEYS:
                fakes[key].delay = DELAY_SECONDS
            environment = bot_environment(
                fake, Path(data_dir), **fakes.environment(HTTP_TIMEOUT_SECONDS="10")
            )
            async with running_bot(fake, environment):
                acks, answers = [], []
                for index in range(INTERACTIONS):
                    record = await fake.slash("check", "all", user=fake.admin_user)
                    await record.wait_acknowledged(timeout=5)
                    acks.append(record.ack_latency * 1000)
                    if index % 10 == 0:  # every 10th waits for the answer (others overlap, single-flight)
                        await record.wait_done(timeout=30)
                        answers.append(record.history[-1].seconds_after_dispatch)
            fake.assert_no_violations()
    acks.sort()
    p50, p99 = statistics.median(acks), acks[min(len(acks) - 1, int(len(acks) * 0.99))]
    verdict = "OK" if p99 <= TARGET_ACK_P99_MS else "OVER TARGET"
    print(f"/check all through the bot, {INTERACTIONS} interactions:")
    print(f"  acknowledgement p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {acks[-1]:.1f} ms")
    print(f"  target p99 ≤ {TARGET_ACK_P99_MS} ms: {verdict}")
    print(f"  answer (embed sent) median {statistics.median(answers):.2f} s with every service at 1 s")


if __name__ == "__main__":
    event_loop.run(main())
