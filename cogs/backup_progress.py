"""The live progress message of a backup, restore or upload, and who asked for it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.app import MaintenanceBot
from bot.backups.progress import BackupProgress
from cogs.ui.backup_embeds import progress_text
from cogs.ui.delivery import token_expired

log = logging.getLogger(__name__)

Progress = Callable[[BackupProgress], Awaitable[None]]


def requester(interaction: discord.Interaction[MaintenanceBot]) -> str:
    """Who asked, as busy messages and safety backups name them."""
    return f"{interaction.user} via Discord"


def progress_editor(edit: Callable[..., Awaitable[object]]) -> Progress:
    """A progress callback that edits a message; a failed edit never disturbs the backup.

    Once the interaction's token has expired (after 15 minutes) it stops trying.
    """
    expired = False

    async def report(progress: BackupProgress) -> None:
        nonlocal expired
        if expired:
            return
        try:
            await edit(content=progress_text(progress))
        except discord.HTTPException as error:
            expired = token_expired(error)
            log.debug("progress edit failed", exc_info=True)

    return report
