"""`/logs view|status|download|clear`: Aphrodite's log file from Discord."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MaintenanceBot
from bot.logs import LEVEL_CHOICES, MAX_VIEW_LINES, AphroditeLog, LogQuery, NoLog
from bot.redact import Redactor
from cogs.log_views import LogPageView, confirm_and_clear, read_pages, send_export
from cogs.ui.log_embeds import no_log_embed, status_embed

LEVELS = [app_commands.Choice(name=level, value=level) for level in LEVEL_CHOICES]
SEARCH_HELP = "Text to find (case-insensitive), or re:REGEX (RE2 syntax)"


class Logs(commands.Cog):
    """Thin adapter over AphroditeLog: parse the filter, defer, call the core, render."""

    logs = app_commands.Group(name="logs", description="View, search, download or clear Aphrodite's log")

    def __init__(self, log: AphroditeLog, redactor: Redactor) -> None:
        self.log = log  # the Runtime's: it remembers line counts and owns the log threads
        self.redactor = redactor

    @logs.command(name="view", description="The newest matching log entries, paginated")
    @app_commands.describe(level="Only entries of this level", search=SEARCH_HELP, lines="How many entries")
    @app_commands.choices(level=LEVELS)
    async def view(
        self,
        interaction: discord.Interaction,
        level: str = "ALL",
        search: str | None = None,
        lines: app_commands.Range[int, 1, MAX_VIEW_LINES] = 50,
    ) -> None:
        query = LogQuery.parse(level, search)  # before deferring, so a bad search is answered privately
        await interaction.response.defer(thinking=True)
        pages = await read_pages(self.log, query, lines, self.redactor)
        view = LogPageView(
            interaction.user.id, pages, log=self.log, query=query, lines=lines, redactor=self.redactor
        )
        view.message = await interaction.followup.send(embed=view.current_embed(), view=view, wait=True)

    @logs.command(name="status", description="Size, lines, last change, rotated files and archives")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        result = await self.log.status()
        spec = (
            no_log_embed(result, "📜 Aphrodite log — status")
            if isinstance(result, NoLog)
            else status_embed(result)
        )
        await interaction.followup.send(embed=spec.build())

    @logs.command(name="download", description="The (filtered) log as a file, gzipped when too large")
    @app_commands.describe(level="Only entries of this level", search=SEARCH_HELP)
    @app_commands.choices(level=LEVELS)
    async def download(
        self, interaction: discord.Interaction, level: str = "ALL", search: str | None = None
    ) -> None:
        await send_export(interaction, self.log, LogQuery.parse(level, search), self.redactor)

    @logs.command(name="clear", description="Archive the log beside it, then empty it (asks first)")
    @app_commands.describe(archive="Keep a gzip copy beside the log first (default: yes)")
    async def clear(self, interaction: discord.Interaction, archive: bool = True) -> None:
        await confirm_and_clear(interaction, self.log, archive)


async def setup(bot: MaintenanceBot) -> None:
    runtime = bot.runtime
    await bot.add_cog(Logs(runtime.log, runtime.redactor))
