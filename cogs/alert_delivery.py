"""Posting the monitor's notices to the alert channel, and the Download button of log summaries.

Discord's answers become `DeliveryFailed` (the notice waits in the outbox: channel missing, no
permission, Discord unreachable) or `NoticeRejected` (Discord will never take it) with words
saying what to fix. Everything posted goes through the runtime's redactor. A recovery marks the
incident's earlier alerts resolved (alert_resolution.py).
"""

from __future__ import annotations

import asyncio
import gzip
import io
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.alerts.log_watch import DOWNLOAD_CHARS
from bot.alerts.notices import Notice
from bot.alerts.outbox import DeliveryFailed, NoticeRejected
from bot.errors import OpsError
from bot.units import human_bytes
from cogs.alert_button import AlertButton
from cogs.alert_resolution import AlertResolution
from cogs.errors import send_error
from cogs.incident_buttons import incident_view
from cogs.ui.alert_embeds import AlertMessage, alert_message
from cogs.ui.bot_of import bot_of

if TYPE_CHECKING:
    from bot.app import MaintenanceBot

_PERMISSIONS = "View Channel, Send Messages and Embed Links"
_RETRY = "the bot retries every round and posts the waiting alerts in order"


class AlertPoster:
    """`deliver(notice, late)` for the monitor's outbox: one message in ALERT_CHANNEL_ID."""

    def __init__(self, bot: MaintenanceBot) -> None:
        self.bot = bot
        self._resolution = AlertResolution(bot)

    async def deliver(self, notice: Notice, late: bool) -> None:
        settings = self.bot.runtime.settings
        channel_id = settings.alert_channel_id
        if channel_id is None:
            raise DeliveryFailed("ALERT_CHANNEL_ID is not set", "set it to the channel for alerts")
        if not self.bot.is_ready():
            raise DeliveryFailed("the bot is not connected to Discord yet", _RETRY)
        notice = notice.redacted(self.bot.runtime.redactor)
        message = alert_message(
            notice,
            late=late,
            role_id=settings.alert_role_id,
            escalation_role_id=settings.alert_escalation_role_id,
        )
        roles = [discord.Object(role) for role in message.mention_roles]
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise NoticeRejected(f"channel {channel_id} (ALERT_CHANNEL_ID) cannot hold messages")
            sent = await channel.send(
                content=message.content,
                embed=message.embed.build(),
                view=_view(notice, message),
                allowed_mentions=discord.AllowedMentions(everyone=False, users=False, roles=roles or False),
            )
        except discord.Forbidden as error:
            raise DeliveryFailed(
                f"Discord answered 403 ({error.text or 'Missing Access'}) for channel {channel_id}",
                f"give the bot {_PERMISSIONS} in that channel (ALERT_CHANNEL_ID)",
            ) from None
        except discord.NotFound:
            raise DeliveryFailed(
                f"channel {channel_id} does not exist or the bot cannot see it",
                "check ALERT_CHANNEL_ID and that the bot is in that server",
            ) from None
        except discord.HTTPException as error:
            if 400 <= error.status < 500 and error.status != 429:
                raise NoticeRejected(f"Discord answered {error.status}: {error.text}") from None
            raise DeliveryFailed(f"Discord answered {error.status}", _RETRY) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise DeliveryFailed(f"Discord cannot be reached ({type(error).__name__})", _RETRY) from None
        await self._resolution.after_post(notice, sent)


def _view(notice: Notice, message: AlertMessage) -> discord.ui.View:
    """The message's persistent buttons, if any (they work after a restart: dynamic items, cogs/alerts.py)."""
    if message.incident_buttons:
        taken = all(part.acknowledged_by for part in notice.members if part.incident_id is not None)
        return incident_view(notice.id, acknowledged=taken)
    view = discord.ui.View(timeout=None)
    if message.download:
        view.add_item(LogDownloadButton(notice.id))
    return view


class LogDownloadButton(
    AlertButton,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"alerts:log:(?P<id>[0-9]+)",
):
    """Sends exactly the log entries a summary counted, as a file; works after a restart too."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Download",
                emoji="📥",
                style=discord.ButtonStyle.secondary,
                custom_id=f"alerts:log:{notice_id}",
            )
        )
        self.notice_id = notice_id

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        try:
            notice = await bot.monitor.store.notice(self.notice_id)
        except OpsError as error:  # the state store fails: say why, as every command does
            await send_error(interaction, error, bot.runtime.redactor)
            return
        if notice is None or notice.log_errors is None:
            await interaction.response.send_message(
                "These entries are no longer kept (summaries are kept 7 days): use /logs download.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        errors = notice.redacted(bot.runtime.redactor).log_errors
        assert errors is not None
        name = f"aphrodite-errors-{notice.at:%Y%m%d-%H%M%S}.log"
        data = errors.text.encode()
        if len(data) > interaction.filesize_limit:
            data = await asyncio.to_thread(gzip.compress, data)
            name += ".gz"
        note = f"📜 The {errors.count} new log entries of {discord.utils.format_dt(notice.at)}"
        if errors.text_cut:
            note += f" (the first {human_bytes(DOWNLOAD_CHARS)}: /logs download has everything)"
        await interaction.followup.send(
            note, file=discord.File(io.BytesIO(data), filename=name), ephemeral=True
        )
