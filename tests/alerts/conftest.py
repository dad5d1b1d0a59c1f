"""Shared pieces for the monitor's tests: a clock the test moves, a recording channel, the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.notices import Notice
from bot.alerts.outbox import DeliveryFailed
from bot.alerts.store import AlertStore
from bot.state import StateStore


class Clock:
    """The monitor's clock: stands still until the test moves it."""

    def __init__(self, start: datetime = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Channel:
    """Where delivered notices land; ``broken`` makes it refuse them like a channel without permission."""

    def __init__(self) -> None:
        self.posted: list[tuple[Notice, bool]] = []
        self.broken = False
        self.attempts = 0

    async def deliver(self, notice: Notice, late: bool) -> None:
        self.attempts += 1
        if self.broken:
            raise DeliveryFailed("Discord answered 403 Missing Access", "give the bot Send Messages")
        self.posted.append((notice, late))

    @property
    def notices(self) -> list[Notice]:
        return [notice for notice, _ in self.posted]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def channel() -> Channel:
    return Channel()


@pytest.fixture
def alert_store(state: StateStore) -> AlertStore:
    return AlertStore(state)
