"""Autocomplete of backup names: the local ones, and for restores and drills those only off-site."""

from __future__ import annotations

import asyncio
import logging

from discord import app_commands

from bot.errors import OpsError
from bot.offsite.service import OffsiteService
from cogs.ui import limits

log = logging.getLogger(__name__)

# An autocomplete answer is due within 3 s: the store's listing gets this long, then it is left out.
REMOTE_NAMES_SECONDS = 1.5


async def remote_only_names(offsite: OffsiteService, current: str, local: list[str]) -> list[str]:
    """The bot's copies only off-site whose name holds ``current``, newest first; [] when off or slow."""
    if not offsite.configured or len(local) >= limits.CHOICES:
        return []
    try:
        copies = await asyncio.wait_for(offsite.copies(), REMOTE_NAMES_SECONDS)
    except (TimeoutError, OpsError) as error:
        log.info("autocomplete without the off-site copies: %s", type(error).__name__)
        return []
    typed, known = current.lower(), set(local)
    remote = {
        copy.name for copy in copies if copy.ours and typed in copy.name.lower() and copy.name not in known
    }
    return sorted(remote, reverse=True)


def choices(local: list[str], remote: list[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices within Discord's limits; a backup only off-site says so in its label."""
    named = [(name, name) for name in local] + [(f"{name} (off-site)", name) for name in remote]
    return [
        app_commands.Choice(name=limits.truncate(label, limits.CHOICE_NAME), value=value)
        for label, value in named[: limits.CHOICES]
    ]
