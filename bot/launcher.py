"""Start the bot: settings, logging, the shared runtime, then discord.py until stopped."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from bot.app import MaintenanceBot, use_api_base
from bot.config import ConfigError, Settings, load_settings
from bot.logging_setup import configure_logging
from bot.ops_http.errors import MetricsUnavailable
from bot.redact import Redactor
from bot.runtime import Runtime, process_redactor

log = logging.getLogger("aphrodite_ops")


def run_bot() -> int:
    """Run until interrupted; exit 3 with one clear line when a setting is missing or invalid."""
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"error: {error}\nhint: {error.hint}", file=sys.stderr)
        return 3
    if settings.discord_token is None:
        print(
            "error: DISCORD_TOKEN is not set: put your bot token in .env (see .env.example). "
            "The CLI works without it: python -m bot check all",
            file=sys.stderr,
        )
        return 3
    redactor = process_redactor(settings)  # the one the runtime owns, shared with the bot's log
    configure_logging(settings.data_dir, redactor)
    try:
        asyncio.run(serve(settings, redactor))
    except KeyboardInterrupt:
        log.info("stopped")
    except MetricsUnavailable as error:
        print(f"error: {error}\nhint: {error.hint}", file=sys.stderr)
        return 3
    except discord.LoginFailure:
        print("error: Discord refused DISCORD_TOKEN: check the token in .env.", file=sys.stderr)
        return 3
    return 0


async def serve(settings: Settings, redactor: Redactor) -> None:
    """Open the runtime, run the bot on it, and close everything on the way out."""
    assert settings.discord_token is not None
    use_api_base(settings.discord_api_base)
    async with Runtime.open(settings, redactor) as runtime, MaintenanceBot(runtime) as bot:
        await bot.start(settings.discord_token.reveal())
