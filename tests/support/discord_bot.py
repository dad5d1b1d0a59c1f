"""Running the real MaintenanceBot against the fake Discord (tests and benchmarks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import discord
from discord.http import Route

from bot.app import MaintenanceBot, use_api_base
from bot.config import load_settings
from bot.runtime import Runtime
from tests.fakes.discord import FakeDiscord

BOT_TOKEN = "fake-bot-token-NEVER-SHOWN-7f3a9"


def bot_environment(fake: FakeDiscord, data_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a bot pointed at ``fake``, with its state in ``data_dir``."""
    return {
        "DISCORD_TOKEN": BOT_TOKEN,
        "DISCORD_GUILD_ID": str(fake.guild_id),
        "DISCORD_API_BASE": fake.api_base,
        "ADMIN_ROLE_IDS": str(fake.admin_role_id),
        "ALERT_CHANNEL_ID": str(fake.alert_channel_id),
        "DATA_DIR": str(data_dir),
        "BACKUP_DIR": str(data_dir / "backups"),
        "APHRODITE_LOG_FILE": str(data_dir / "aphrodite-v2.log"),
        "HTTP_TIMEOUT_SECONDS": "2",
        **overrides,
    }


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord,
    environment: dict[str, str],
    *,
    before_start: Callable[[MaintenanceBot], Awaitable[None]] | None = None,
    **bot_options: object,
) -> AsyncIterator[MaintenanceBot]:
    """Start MaintenanceBot as `python -m bot` would, wait until it is ready, stop it after.

    ``before_start`` runs once the bot is entered but not yet connected to Discord;
    ``bot_options`` go to MaintenanceBot (e.g. ``monitor_interval``).
    """
    saved = Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    settings = load_settings(environment)
    use_api_base(settings.discord_api_base)
    try:
        async with (
            Runtime.open(settings) as runtime,
            MaintenanceBot(runtime, guild_ready_timeout=0.1, **bot_options) as bot,
        ):
            if before_start is not None:
                await before_start(bot)
            task = asyncio.create_task(bot.start(BOT_TOKEN))
            try:
                await fake.wait_until_ready(timeout=15)
                await fake.wait_for_commands(timeout=15)
                await asyncio.wait_for(bot.wait_until_ready(), timeout=15)
                yield bot
            finally:
                await bot.close()
                await asyncio.wait_for(task, timeout=10)
    finally:
        Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
