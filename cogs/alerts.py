"""`/alerts status|pause|resume|test|history`: the bot's alert monitor from Discord."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.monitor import Monitor
from bot.alerts.overview import MonitorOverview
from bot.alerts.requests import MAX_PAUSE_MINUTES
from bot.alerts.results import TARGET_NAMES
from bot.app import MaintenanceBot
from bot.audit import AuditAction
from bot.history import HistoryStore
from bot.history.sqlite_file import HistoryUnavailable
from bot.history.status_chart import render_status_chart
from bot.history.uptime_summary import read_uptime_summaries, uptime_line
from bot.redact import Redactor
from cogs.alert_delivery import LogDownloadButton
from cogs.audited import audited
from cogs.incident_buttons import DYNAMIC_ITEMS
from cogs.ui.alert_status_embeds import history_pages, status_embed
from cogs.ui.embeds import absolute_time, relative_time
from cogs.ui.markup import inert
from cogs.ui.views import send_pages

STATUS_CHART_NAME = "monitor-status.png"
TARGET_CHOICES = [app_commands.Choice(name=name, value=key) for key, name in TARGET_NAMES.items()]


def _who(interaction: discord.Interaction[MaintenanceBot]) -> str:
    return str(interaction.user)


async def send_status(
    interaction: discord.Interaction[MaintenanceBot],
    overview: MonitorOverview,
    *,
    extra: dict[str, str] | None = None,
    note: str | None = None,
    file: discord.File | None = None,
) -> None:
    """The status embed (``extra``: a line per target; ``note``: a line under the monitor's;
    ``file``: e.g. a chart) as the deferred answer."""
    embed = status_embed(overview, extra, note).build()
    if file is not None:
        embed.set_image(url=f"attachment://{file.filename}")
    if file is None:
        await interaction.followup.send(embed=embed)
    else:
        await interaction.followup.send(embed=embed, file=file)


class Alerts(commands.Cog):
    """Thin adapter over the bot's Monitor."""

    alerts = app_commands.Group(
        name="alerts", description="Automatic alerts: state, maintenance, test, history"
    )

    def __init__(self, monitor: Monitor, history: HistoryStore, redactor: Redactor) -> None:
        self.monitor = monitor
        self.history_store = history
        self.redactor = redactor

    @alerts.command(name="status", description="Every watched target: state, uptime, latency chart")
    async def status(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        """Without a usable history the targets still show, with one line saying why uptime is missing."""
        await interaction.response.defer(thinking=True)
        now = datetime.now(UTC)
        reading = await read_uptime_summaries(self.history_store, now)
        overview = await self.monitor.overview()
        if reading.summaries is None:
            note = self.redactor(f"Uptime: {reading.missing_without_path}")
            await send_status(interaction, overview, note=note)
            return
        extra = {target: uptime_line(summary) for target, summary in reading.summaries.items()}
        chart = await self._chart(now, interaction.filesize_limit)
        await send_status(interaction, overview, extra=extra, file=chart)

    async def _chart(self, now: datetime, size_limit: int) -> discord.File | None:
        """The latency chart; None when it is too big to attach or the history failed since it was read."""
        try:
            png = await render_status_chart(self.history_store, now=now)
        except HistoryUnavailable:
            return None
        if len(png) > size_limit:
            return None
        return discord.File(io.BytesIO(png), filename=STATUS_CHART_NAME)

    @alerts.command(name="pause", description="Open a maintenance window: no alerts for a while")
    @app_commands.describe(minutes="How long (the channel is told when it starts and ends)")
    async def pause(
        self,
        interaction: discord.Interaction[MaintenanceBot],
        minutes: app_commands.Range[int, 1, MAX_PAUSE_MINUTES],
    ) -> None:
        async with audited(interaction, AuditAction.ALERTS_PAUSE, f"{minutes} minutes"):
            self.monitor.require_enabled()  # before deferring: the refusal stays private
            await interaction.response.defer(thinking=True)
            until = await self.monitor.pause(timedelta(minutes=minutes), by=_who(interaction))
        await interaction.followup.send(
            f"🔧 Alerts paused until {absolute_time(until)} ({relative_time(until)}). "
            "`/alerts resume` ends it early."
        )

    @alerts.command(name="resume", description="End the maintenance window now")
    async def resume(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        async with audited(interaction, AuditAction.ALERTS_RESUME) as entry:
            self.monitor.require_enabled()
            await interaction.response.defer(thinking=True)
            ended = await self.monitor.resume(by=_who(interaction))
            entry.target = None if ended else "no maintenance window was open"
        if ended:
            await interaction.followup.send("🔔 Alerts are back on; anything still failing is announced now.")
        else:
            await interaction.followup.send("No maintenance window was open: alerts are on.")

    @alerts.command(
        name="test", description="Post a test alert, to check the channel, permissions and mention"
    )
    async def test(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        self.monitor.require_enabled()
        await interaction.response.defer(thinking=True, ephemeral=True)
        problem = await self.monitor.send_test(by=_who(interaction))
        if problem is None:
            await interaction.followup.send("✅ Test alert posted to the alert channel.", ephemeral=True)
        else:
            await interaction.followup.send(
                f"❌ The test alert could not be posted: {inert(problem.reason)}. To fix: {problem.fix}. "
                "It waits in the outbox and goes out once posting works.",
                ephemeral=True,
            )

    @alerts.command(name="history", description="Past incidents and the mean time to recovery")
    @app_commands.describe(target="Only this target (default: all)", days="How far back (default 7)")
    @app_commands.choices(target=TARGET_CHOICES)
    async def history(
        self,
        interaction: discord.Interaction[MaintenanceBot],
        target: str | None = None,
        days: app_commands.Range[int, 1, 3650] = 7,
    ) -> None:
        await interaction.response.defer(thinking=True)
        await send_pages(interaction, history_pages(await self.monitor.history(target, days)))


async def setup(bot: MaintenanceBot) -> None:
    bot.add_dynamic_items(LogDownloadButton, *DYNAMIC_ITEMS)
    await bot.add_cog(Alerts(bot.monitor, bot.runtime.history, bot.runtime.redactor))
