"""`/check all` and `/check <service>`: external services tested from Discord."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MaintenanceBot
from bot.services.catalog import SERVICES
from bot.services.runner import CheckRunner
from cogs.ui.check_embeds import detail_embed, summary_embed


class Connections(commands.Cog):
    """Thin adapter over CheckRunner: defer, run, render; one subcommand per service in the catalog."""

    check = app_commands.Group(name="check", description="Test Aphrodite's external services")

    def __init__(self, runner: CheckRunner) -> None:
        self.runner = runner
        for service in SERVICES:
            command: app_commands.Command[Any, [], None] = app_commands.Command(
                name=service.key, description=service.description, callback=self._checker(service.key)
            )
            self.check.add_command(command)

    @check.command(name="all", description="Test every service at once")
    async def check_all(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        await interaction.response.defer(thinking=True)
        results = await self.runner.check_all()
        await interaction.followup.send(embed=summary_embed(results).build())

    def _checker(
        self, key: str
    ) -> Callable[[discord.Interaction[MaintenanceBot]], Coroutine[Any, Any, None]]:
        async def check_one(interaction: discord.Interaction[MaintenanceBot]) -> None:
            await interaction.response.defer(thinking=True)
            result = await self.runner.check(key)
            await interaction.followup.send(embed=detail_embed(result).build())

        return check_one


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(Connections(bot.runtime.checks))
