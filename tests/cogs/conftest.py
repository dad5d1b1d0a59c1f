"""End-to-end fixtures: the real bot, logged into the fake Discord, over a real Runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.app import MaintenanceBot
from tests.fakes.discord import FakeDiscord
from tests.fakes.services import FakeServices, running_fake_services
from tests.support.alert_channel import HOUR, alert_environment
from tests.support.discord_bot import bot_environment, running_bot

StartBot = Callable[..., Awaitable[MaintenanceBot]]
StartAlertBot = Callable[..., Awaitable[MaintenanceBot]]


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord; the test fails if the bot broke any of Discord's limits."""
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
    fake.assert_no_violations()


@pytest.fixture
async def start_bot(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[StartBot]:
    """``await start_bot(VAR=value, ...)`` runs the bot with extra settings until the test ends."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: str) -> MaintenanceBot:
            environment = bot_environment(fake_discord, tmp_path, **overrides)
            return await stack.enter_async_context(running_bot(fake_discord, environment))

        yield start


@pytest.fixture
async def fakes() -> AsyncIterator[FakeServices]:
    """Jellyfin, OMDb, TMDB, MDBList and AniDB, faked on 127.0.0.1."""
    async with running_fake_services() as services:
        yield services


@pytest.fixture
async def alert_bot(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> AsyncIterator[StartAlertBot]:
    """``await alert_bot(VAR=value)``: a bot whose monitor rounds the test drives itself."""
    async with AsyncExitStack() as stack:

        async def start(interval: float = HOUR, **overrides: str) -> MaintenanceBot:
            env = alert_environment(fake_discord, tmp_path, fakes, **overrides)
            return await stack.enter_async_context(running_bot(fake_discord, env, monitor_interval=interval))

        yield start
