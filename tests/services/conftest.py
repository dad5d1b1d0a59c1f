"""Fixtures for the connection checks: the fake services, and runners pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.database.connection import Database
from bot.redact import Redactor
from bot.services.anidb_guard import RequestSpacing
from bot.services.runner import CheckRunner
from bot.state import StateStore
from tests.fakes.services import FakeServices, running_fake_services


@pytest.fixture
async def fake_services() -> AsyncIterator[FakeServices]:
    async with running_fake_services() as fakes:
        yield fakes


class Clock:
    """A clock the test moves forward, for caches and bans that last hours."""

    def __init__(self) -> None:
        self.now = datetime(2025, 6, 6, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


MakeRunner = Callable[..., CheckRunner]
TEST_REQUEST_INTERVAL_SECONDS = 0.01


@pytest.fixture
async def make_runner(tmp_path: Path, clock: Clock) -> AsyncIterator[MakeRunner]:
    """``make_runner(settings, state=None, spacing=None)``: a runner with its own session and database.

    AniDB requests are spaced by a short test interval (the tests about spacing pass the real one),
    so tests of caching and bans do not sleep; ``clock`` is the fixture; pass ``state`` to share a
    StateStore between runners ("restarts").
    """
    opened: list[Database | StateStore] = []
    async with aiohttp.ClientSession() as http:
        spacing = RequestSpacing(TEST_REQUEST_INTERVAL_SECONDS)

        def make(
            settings: Settings, *, state: StateStore | None = None, spacing: RequestSpacing = spacing
        ) -> CheckRunner:
            redactor = Redactor(settings.secrets())
            database = Database(
                settings.database_url, timeout=settings.http_timeout_seconds, redactor=redactor
            )
            if state is None:
                state = StateStore(tmp_path / f"state-{len(opened)}.sqlite3")
            opened.extend([database, state])
            return CheckRunner(
                settings, http, database, state, redactor=redactor, anidb_spacing=spacing, clock=clock
            )

        yield make
        for resource in opened:
            await resource.close()
