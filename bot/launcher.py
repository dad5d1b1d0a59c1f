"""Start the bot: settings, its folders, logging, the shared runtime, then discord.py until stopped."""

from __future__ import annotations

import logging
import sys

import aiohttp
import discord

from bot import event_loop
from bot.app import MaintenanceBot, use_api_base
from bot.config import ConfigError, Settings, load_settings
from bot.folders import ensure_writable_folder
from bot.logging_setup import configure_logging
from bot.ops_http.errors import MetricsUnavailable
from bot.redact import Redactor
from bot.runtime import Runtime, process_redactor

log = logging.getLogger("aphrodite_ops")

NOT_CONFIGURED = 3
FAILED = 2
DISCORD_API = "https://discord.com/api"


def run_bot(env_file: str | None = None) -> int:
    """Run until interrupted; exit 3 with an error: and a hint: line when a setting is missing or invalid.

    ``env_file`` is `--env-file`'s value: the `.env` to read instead of the working directory's.
    """
    try:
        settings = load_settings(env_file=env_file)
        if settings.discord_token is None:
            raise ConfigError(
                "DISCORD_TOKEN is not set: put your bot token in .env (see .env.example).",
                hint="the CLI works without it: python -m bot check all",
            )
        # Before anything writes there: a folder the bot's user cannot create is one clear line,
        # not a PermissionError traceback and a container restarting forever.
        ensure_writable_folder("DATA_DIR", settings.data_dir)
        ensure_writable_folder("BACKUP_DIR", settings.backup_dir)
    except ConfigError as error:
        _print_error(str(error), error.hint, process_redactor(None))
        return NOT_CONFIGURED
    redactor = process_redactor(settings)  # the one the runtime owns, shared with the bot's log
    configure_logging(settings.data_dir, redactor)
    try:
        event_loop.run(serve(settings, redactor))
    except KeyboardInterrupt:
        log.info("stopped")
    except MetricsUnavailable as error:
        _print_error(str(error), error.hint, redactor)
        return NOT_CONFIGURED
    except discord.LoginFailure:
        hint = "check the token in .env (Developer Portal → Bot → Reset Token)"
        _print_error("Discord refused DISCORD_TOKEN.", hint, redactor)
        return NOT_CONFIGURED
    except discord.HTTPException as error:  # e.g. a 5xx from Discord or a proxy at login
        _print_error(
            f"Discord answered HTTP {error.status} at start: {error.text or error}.",
            "Discord or DISCORD_API_BASE's proxy may be down (https://discordstatus.com); "
            "a container restarts and tries again",
            redactor,
        )
        return FAILED
    except (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound) as error:
        where = settings.discord_api_base or DISCORD_API
        _print_error(
            f"Discord cannot be reached at {where}: {_reason(error)}.",
            "check this host's network and DNS (can it open https://discord.com?)"
            + (", and DISCORD_API_BASE" if settings.discord_api_base else "")
            + "; a container restarts and tries again",
            redactor,
        )
        return FAILED
    return 0


async def serve(settings: Settings, redactor: Redactor) -> None:
    """Open the runtime, run the bot on it, and close everything on the way out."""
    assert settings.discord_token is not None
    use_api_base(settings.discord_api_base)
    async with Runtime.open(settings, redactor) as runtime, MaintenanceBot(runtime) as bot:
        await bot.start(settings.discord_token.reveal())


def _reason(error: BaseException) -> str:
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"cannot connect ({error.os_error.strerror or error.os_error})"
    if isinstance(error, TimeoutError):
        return "no answer in time"
    return str(error) or type(error).__name__


def _print_error(message: str, hint: str | None, redact: Redactor) -> None:
    print(f"error: {redact(message)}", file=sys.stderr)
    if hint:
        print(f"hint: {redact(hint)}", file=sys.stderr)
