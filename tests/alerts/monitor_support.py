"""A switchable target and a monitor over it, for the monitor's tests."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.alerts.engine import AlertPolicy
from bot.alerts.monitor import Monitor
from bot.alerts.results import TargetResult
from bot.alerts.store import AlertStore
from bot.status import Status

if TYPE_CHECKING:
    from tests.alerts.conftest import Channel, Clock

ROUND = timedelta(minutes=5)


class Switch:
    """A target the test switches between statuses; counts its calls; may hang or raise."""

    def __init__(self, key: str = "tmdb", status: Status = Status.OK) -> None:
        self.keys: tuple[str, ...] = (key,)
        self.status = status
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.error: Exception | None = None

    async def __call__(self, now: datetime) -> list[TargetResult]:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        detail = "TMDB answered 401: the API key was rejected" if self.status is Status.FAILED else "fine"
        return [TargetResult(self.keys[0], now, self.status, 10.0, detail, "check TMDB_API_KEY")]


def monitor(store: AlertStore, channel: Channel, clock: Clock, *targets: Switch, **options: Any) -> Monitor:
    options.setdefault("policy", AlertPolicy(failure_threshold=2, success_threshold=1))
    options.setdefault("interval", 300)
    return Monitor(targets=targets, store=store, deliver=channel.deliver, clock=clock, **options)


async def rounds(mon: Monitor, clock: Clock, count: int) -> None:
    for _ in range(count):
        await mon.run_round()
        clock.advance(ROUND)
