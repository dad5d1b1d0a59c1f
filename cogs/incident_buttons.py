"""The buttons of an incident alert: Acknowledge, Silence 1 h, Re-check (admins only, after restarts too).

Each is a `discord.ui.DynamicItem` whose custom_id names the alert's outbox id; discord.py
routes a click on any message carrying it to the class registered with `add_dynamic_items`, so
the buttons need no view kept in memory. The state lives in the monitor's store (IncidentDesk).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.alerts.incident_actions import notice_targets
from bot.alerts.incident_desk import AlertState
from bot.audit import AuditAction
from cogs.alert_button import AlertButton
from cogs.audited import audited
from cogs.errors import send_error
from cogs.ui.alert_embeds import alert_message, recheck_embed
from cogs.ui.bot_of import bot_of

Button = discord.ui.Button[discord.ui.View]


def incident_view(notice_id: int, *, acknowledged: bool) -> discord.ui.View:
    """The three buttons in one row; Acknowledge disabled once every open incident is taken."""
    view = discord.ui.View(timeout=None)
    view.add_item(AcknowledgeButton(notice_id, done=acknowledged))
    view.add_item(SilenceButton(notice_id))
    view.add_item(RecheckButton(notice_id))
    return view


def _who(interaction: discord.Interaction) -> str:
    return bot_of(interaction).runtime.redactor(str(interaction.user))


async def _show(interaction: discord.Interaction, state: AlertState) -> None:
    """Edit the clicked alert to say who took it and what is silenced (the mention is not repeated)."""
    bot = bot_of(interaction)
    settings = bot.runtime.settings
    message = alert_message(
        state.notice.redacted(bot.runtime.redactor),
        late=False,
        role_id=settings.alert_role_id,
        escalation_role_id=settings.alert_escalation_role_id,
        handling=state.handling,
    )
    view = incident_view(state.notice.id, acknowledged=state.handling.all_acknowledged)
    await interaction.edit_original_response(embed=message.embed.build(), view=view)


def _audited_work(
    interaction: discord.Interaction,
    action: AuditAction,
    work: Callable[[], Awaitable[AlertState]],
    suffix: str = "",
) -> Callable[[], Awaitable[AlertState]]:
    """``work`` recorded in the audit trail, its target the alert's targets once known."""

    async def run() -> AlertState:
        async with audited(interaction, action) as entry:
            state = await work()
            entry.target = ", ".join(notice_targets(state.notice)) + suffix
        return state

    return run


async def _answer(interaction: discord.Interaction, work: Callable[[], Awaitable[AlertState]]) -> None:
    """Defer (the store and Discord may be slow, the answer is due within 3 s), do it, show it."""
    await interaction.response.defer()
    try:
        await _show(interaction, await work())
    except Exception as error:
        await send_error(interaction, error, bot_of(interaction).runtime.redactor)


class AcknowledgeButton(
    AlertButton, discord.ui.DynamicItem[Button], template=r"alerts:ack:(?P<id>[0-9]{1,18})"
):
    """Takes the alert's open incidents: no more reminders or escalation; the alert shows who and when."""

    def __init__(self, notice_id: int, *, done: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Acknowledged" if done else "Acknowledge",
                emoji="✅",
                style=discord.ButtonStyle.success,
                disabled=done,
                custom_id=f"alerts:ack:{notice_id}",
            )
        )
        self.notice_id = notice_id

    async def callback(self, interaction: discord.Interaction) -> None:
        desk = bot_of(interaction).incidents
        work = _audited_work(
            interaction, AuditAction.INCIDENT_ACK, lambda: desk.acknowledge(self.notice_id, _who(interaction))
        )
        await _answer(interaction, work)


class SilenceButton(
    AlertButton, discord.ui.DynamicItem[Button], template=r"alerts:silence:(?P<id>[0-9]{1,18})"
):
    """Mutes the alert's targets for an hour (their own maintenance window, shown in /alerts status)."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Silence 1 h",
                emoji="🔕",
                style=discord.ButtonStyle.secondary,
                custom_id=f"alerts:silence:{notice_id}",
            )
        )
        self.notice_id = notice_id

    async def callback(self, interaction: discord.Interaction) -> None:
        desk = bot_of(interaction).incidents
        work = _audited_work(
            interaction,
            AuditAction.INCIDENT_SILENCE,
            lambda: desk.silence(self.notice_id, _who(interaction)),
            " for 1 h",
        )
        await _answer(interaction, work)


class RecheckButton(
    AlertButton, discord.ui.DynamicItem[Button], template=r"alerts:recheck:(?P<id>[0-9]{1,18})"
):
    """Runs the alert's checks now and answers privately; the monitor's rounds still decide incidents."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Re-check",
                emoji="🔁",
                style=discord.ButtonStyle.primary,
                custom_id=f"alerts:recheck:{notice_id}",
            )
        )
        self.notice_id = notice_id

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            results = await bot.incidents.recheck(self.notice_id)
        except Exception as error:
            await send_error(interaction, error, bot.runtime.redactor)
            return
        embed = recheck_embed(results, bot.runtime.redactor).build()
        await interaction.followup.send(embed=embed, ephemeral=True)


DYNAMIC_ITEMS = (AcknowledgeButton, SilenceButton, RecheckButton)
