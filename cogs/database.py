"""`/db status`, `/db integrity` and `/db growth`: the database health dashboard."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MaintenanceBot
from bot.database.health import collect_status
from bot.database.integrity.report import run_integrity
from bot.history import GrowthSampler, collect_growth
from bot.history.growth import MAX_DAYS
from bot.history.growth_chart import render_growth_chart
from bot.runtime import Runtime
from cogs.ui.db_embeds import integrity_embed, status_embed
from cogs.ui.growth_embeds import CHART_NAME, growth_embed


class DatabaseCommands(commands.Cog, name="Database"):
    """Thin adapter over bot.database.health, bot.database.integrity.report and bot.history's growth."""

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

    @db.command(name="growth", description="The database's size and largest tables over time, with backups")
    @app_commands.describe(days="How many days back")
    async def growth(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, MAX_DAYS] = 30
    ) -> None:
        await interaction.response.defer(thinking=True)
        history = self.runtime.history
        now = history.clock()
        await GrowthSampler(history.sizes).maybe_sample(self.runtime.database, now)
        report = await collect_growth(
            history.sizes, self.runtime.settings.backup_dir, days, now, self.runtime.backups.seal
        )
        png = await render_growth_chart(report)
        attach = len(png) <= interaction.filesize_limit
        embed = growth_embed(report, chart_attached=attach).build()
        if not attach:
            await interaction.followup.send(embed=embed)
            return
        embed.set_image(url=f"attachment://{CHART_NAME}")
        await interaction.followup.send(embed=embed, file=discord.File(io.BytesIO(png), filename=CHART_NAME))


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(DatabaseCommands(bot.runtime))
