"""`/audit days: user:`: who did what, and the mirror of every record to AUDIT_CHANNEL_ID."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MaintenanceBot
from bot.audit.auditor import Auditor
from bot.audit.mirror import AuditMirror
from cogs.audit_mirror import AuditPoster
from cogs.ui.audit_embeds import audit_pages
from cogs.ui.views import send_pages

MAX_DAYS = 3650


class Audit(commands.Cog):
    """Thin adapter over the Runtime's Auditor; runs the mirror while the bot is connected."""

    def __init__(self, bot: MaintenanceBot, auditor: Auditor) -> None:
        self.auditor = auditor
        self.keep_days = bot.runtime.settings.history_days
        channel_id = bot.runtime.settings.audit_channel_id
        self.mirror = (
            None if channel_id is None else AuditMirror(auditor.store, AuditPoster(bot, channel_id).post)
        )
        self._mirroring: asyncio.Task[None] | None = None
        if self.mirror is not None:
            auditor.add_listener(self.mirror.wake)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.mirror is not None and self._mirroring is None:
            self._mirroring = asyncio.create_task(self.mirror.run(), name="audit-mirror")

    async def cog_unload(self) -> None:
        task, self._mirroring = self._mirroring, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @app_commands.command(
        name="audit", description="Who did what: backups, restores, deletions, log clears, pauses…"
    )
    @app_commands.describe(days="How far back (default 7)", user="Only this member's actions")
    async def audit(
        self,
        interaction: discord.Interaction[MaintenanceBot],
        days: app_commands.Range[int, 1, MAX_DAYS] = 7,
        user: discord.User | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        since = datetime.now(UTC) - timedelta(days=days)
        records = await self.auditor.store.since(since, actor_id=None if user is None else user.id)
        await send_pages(
            interaction, audit_pages(records, days, None if user is None else str(user), self.keep_days)
        )


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(Audit(bot, bot.runtime.audit))
