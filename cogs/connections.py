"""`/check all` and `/check <service>`: external services tested from Discord."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MaintenanceBot
from bot.services.runner import CheckRunner
from cogs.ui.check_embeds import detail_embed, summary_embed


class Connections(commands.Cog):
    """Thin adapter over CheckRunner: defer, run, render."""

    check = app_commands.Group(name="check", description="Test Aphrodite's external services")

    def __init__(self, runner: CheckRunner) -> None:
        self.runner = runner

    @check.command(name="all", description="Test every service at once")
    async def check_all(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        results = await self.runner.check_all()
        await interaction.followup.send(embed=summary_embed(results).build())

    async def _check_one(self, interaction: discord.Interaction, service: str) -> None:
        await interaction.response.defer(thinking=True)
        result = await self.runner.check(service)
        await interaction.followup.send(embed=detail_embed(result).build())

    @check.command(name="jellyfin", description="Test Jellyfin (server and configured user)")
    async def check_jellyfin(self, interaction: discord.Interaction) -> None:
        await self._check_one(interaction, "jellyfin")

    @check.command(name="omdb", description="Test the OMDb API key")
    async def check_omdb(self, interaction: discord.Interaction) -> None:
        await self._check_one(interaction, "omdb")

    @check.command(name="tmdb", description="Test the TMDB key or read token")
    async def check_tmdb(self, interaction: discord.Interaction) -> None:
        await self._check_one(interaction, "tmdb")

    @check.command(name="mdblist", description="Test the MDBList key and today's quota")
    async def check_mdblist(self, interaction: discord.Interaction) -> None:
        await self._check_one(interaction, "mdblist")

    @check.command(name="anidb", description="Test the AniDB HTTP API client (rate-limited, cached)")
    async def check_anidb(self, interaction: discord.Interaction) -> None:
        await self._check_one(interaction, "anidb")


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(Connections(bot.runtime.checks))
