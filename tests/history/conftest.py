"""A history store on a temporary state file, driven by a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.history import HistoryStore, Observation
from bot.status import Status

# A Monday at midnight UTC: hour and day edges fall on round numbers.
T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[HistoryStore]:
    history = HistoryStore(tmp_path / "history.sqlite3", interval_seconds=10, keep_days=90, clock=clock)
    try:
        yield history
    finally:
        await history.close()


def rounds(
    target: str,
    start: datetime,
    count: int,
    *,
    every: float = 10,
    status: Status = Status.OK,
    latency: float | None = 100.0,
    paused: bool = False,
) -> list[Observation]:
    """``count`` results of one target, ``every`` seconds apart from ``start``."""
    return [
        Observation(target, start + timedelta(seconds=i * every), status, latency, "", paused)
        for i in range(count)
    ]


async def record_at(store: HistoryStore, clock: FakeClock, now: datetime, results: list[Observation]) -> None:
    """Record ``results`` with the clock at ``now``, as the monitor would at the end of its round."""
    clock.now = now
    await store.record(results)
