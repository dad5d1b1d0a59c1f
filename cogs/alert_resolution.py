"""Once an incident is over, its earlier alerts say so: the buttons go, a line says when it was resolved.

The poster remembers where each incident alert went (the monitor's store); a recovery edits
those messages whose incidents are all closed. This never fails a delivery: the recovery is
posted whatever happens here, and a problem is logged.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.alerts.notices import Notice, NoticeKind
from cogs.ui.alert_embeds import resolved_embed

if TYPE_CHECKING:
    from bot.app import MaintenanceBot

log = logging.getLogger(__name__)

# Well inside the outbox's time limit for one delivery, which would otherwise post the recovery twice.
RESOLVE_SECONDS = 10.0


class AlertResolution:
    """`after_post(notice, message)`: remember an incident alert, or resolve the ones a recovery ends."""

    def __init__(self, bot: MaintenanceBot) -> None:
        self.bot = bot

    async def after_post(self, notice: Notice, message: discord.Message) -> None:
        """Never raises (see the module docstring)."""
        closed = [
            part.incident_id
            for part in notice.members
            if part.kind is NoticeKind.RECOVERED and part.incident_id is not None
        ]
        try:
            async with asyncio.timeout(RESOLVE_SECONDS):
                if notice.has_incident_buttons:
                    await self.bot.monitor.store.record_post(notice.id, message.channel.id, message.id)
                if closed:
                    await self._resolve(closed, notice.at)
        except Exception:
            log.warning(
                "could not update the alerts of alert %d; they keep their buttons", notice.id, exc_info=True
            )

    async def _resolve(self, closed: list[int], at: datetime) -> None:
        store = self.bot.monitor.store
        still_open = {incident.id for incident in self.bot.monitor.engine.state.open_incidents()}
        for post in await store.posts_about(closed):
            if still_open & set(post.notice.incident_ids):
                continue  # a group with incidents still open keeps its buttons
            embed = resolved_embed(post.notice.redacted(self.bot.runtime.redactor), at).build()
            channel = self.bot.get_partial_messageable(post.channel_id)
            try:
                await channel.get_partial_message(post.message_id).edit(embed=embed, view=None)
            except discord.NotFound:
                pass  # someone deleted the alert: nothing left to mark
            await store.forget_post(post.notice.id)
