"""`/db status` and `/db integrity`: the database health dashboard."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MaintenanceBot
from bot.database.integrity import run_integrity
from bot.database.status import collect_status
from bot.runtime import Runtime
from cogs.ui.db_embeds import integrity_embed, status_embed


class Database(commands.Cog):
    """Thin adapter over bot.database.status and bot.database.integrity."""

    db = app_commands.Group(name="db", description="Aphrodite's PostgreSQL database")

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @db.command(name="status", description="Connection, size, versions, backups, last integrity result")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        runtime = self.runtime
        report = await collect_status(runtime.database, runtime.settings, runtime.state)
        await interaction.followup.send(embed=status_embed(report).build())

    @db.command(name="integrity", description="Run the integrity check now (read-only, time-bounded)")
    async def integrity(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        report = await run_integrity(self.runtime.database, self.runtime.state)
        await interaction.followup.send(embed=integrity_embed(report).build())


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(Database(bot.runtime))
