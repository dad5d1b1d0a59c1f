"""What the bot's monitor leaves in DATA_DIR for `python -m bot alerts ...` to read, and running it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.alerts.engine import AlertPolicy
from bot.alerts.monitor import Monitor
from bot.alerts.results import TargetResult
from bot.alerts.store import AlertStore
from bot.cli.main import build_parser, run_parsed
from bot.config import Settings
from bot.history import FILE_NAME, HistoryStore
from bot.history.recorder import RoundRecorder
from bot.runtime import Runtime
from bot.state import StateStore
from bot.status import Status
from tests.alerts.conftest import Channel

CHANNEL = "123456789012345678"
INTERVAL = 300


class Fixed:
    """A target whose status the test sets (and may change between rounds)."""

    def __init__(self, key: str, status: Status) -> None:
        self.keys: tuple[str, ...] = (key,)
        self.status = status

    async def __call__(self, now: datetime) -> list[TargetResult]:
        return [TargetResult(self.keys[0], now, self.status, 5.0, f"{self.keys[0]} is {self.status.value}")]


async def leave_state(data_dir: Path, *statuses: tuple[str, Status], rounds: int = 3) -> None:
    """Run a monitor over ``statuses`` (without the history recorder), leaving its state in DATA_DIR."""
    state = StateStore(data_dir / "state.sqlite3")
    now = datetime.now(UTC) - timedelta(hours=1)
    try:
        monitor = Monitor(
            targets=[Fixed(key, status) for key, status in statuses],
            policy=AlertPolicy(failure_threshold=2),
            store=AlertStore(state),
            deliver=Channel().deliver,
            interval=INTERVAL,
            clock=lambda: now,
        )
        for _ in range(rounds):
            await monitor.run_round()
            now += timedelta(minutes=5)
    finally:
        await state.close()


class BotRounds:
    """The bot's monitor wired as the bot wires it (its history recorder on every round), on a test clock.

    The history store follows the same clock, so rounds days old are recorded as they were then.
    """

    def __init__(self, runtime: Runtime, targets: dict[str, Fixed], start: datetime) -> None:
        self.now = start
        self.targets = targets
        self.history = HistoryStore(
            runtime.settings.data_dir / FILE_NAME, interval_seconds=INTERVAL, clock=lambda: self.now
        )
        self.monitor = Monitor(
            targets=[*targets.values()],
            policy=AlertPolicy(failure_threshold=2),
            store=AlertStore(runtime.state),
            deliver=Channel().deliver,
            interval=INTERVAL,
            clock=lambda: self.now,
            on_round=RoundRecorder(self.history, runtime.database),
        )

    def set(self, key: str, status: Status) -> None:
        self.targets[key].status = status

    async def rounds(self, count: int) -> None:
        """``count`` rounds, one interval apart; the clock stops one interval after the last."""
        for _ in range(count):
            await self.monitor.run_round()
            self.now += timedelta(seconds=INTERVAL)

    def offline_until(self, moment: datetime) -> None:
        """The bot is down until ``moment``: no round runs before it."""
        self.now = moment


@asynccontextmanager
async def bot_rounds(data_dir: Path, *keys: str, start: datetime) -> AsyncIterator[BotRounds]:
    """Rounds over ``keys`` (all OK at first) from ``start``, their state and history left in DATA_DIR."""
    settings = Settings(data_dir=data_dir, alert_channel_id=int(CHANNEL), check_interval_seconds=INTERVAL)
    async with Runtime.open(settings) as runtime:
        bot = BotRounds(runtime, {key: Fixed(key, Status.OK) for key in keys}, start)
        try:
            yield bot
        finally:
            await bot.history.close()


async def run(argv: list[str], data_dir: Path, **settings: Any) -> int:
    """Parse with the CLI's command tree and run as `python -m bot` does, with these settings."""
    args = build_parser().parse_args(argv)
    return await run_parsed(args, Settings(data_dir=data_dir, **settings))
