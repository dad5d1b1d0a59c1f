"""Who may use the bot: members with an admin role, or the Administrator permission, in a guild."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from cogs.errors import send_error

if TYPE_CHECKING:  # bot.app loads this module: a runtime import would be circular
    from bot.app import MaintenanceBot

REFUSAL = (
    "⛔ You are not allowed to use this bot. Ask a server admin for one of the roles in "
    "ADMIN_ROLE_IDS (or the Administrator permission)."
)
GUILD_ONLY = "This bot's commands work in a server channel only, not in direct messages."


def is_allowed(interaction: discord.Interaction, admin_role_ids: frozenset[int]) -> bool:
    """True for a guild member holding an admin role or the Administrator permission."""
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        return False
    if interaction.permissions.administrator:
        return True
    return any(role.id in admin_role_ids for role in member.roles)


async def admins_only(interaction: discord.Interaction, admin_role_ids: frozenset[int]) -> bool:
    """A button's `interaction_check`: True for those allowed; everyone else is told why, privately."""
    if is_allowed(interaction, admin_role_ids):
        return True
    await interaction.response.send_message(REFUSAL, ephemeral=True)
    return False


class GuardedTree(app_commands.CommandTree["MaintenanceBot"]):
    """A command tree that refuses, ephemerally, everyone who may not use the bot.

    The admin roles are read from the bot's settings at each interaction: discord.py builds the
    tree inside the bot's constructor, before the bot holds its runtime.
    """

    async def interaction_check(self, interaction: discord.Interaction[MaintenanceBot], /) -> bool:
        if is_allowed(interaction, interaction.client.runtime.settings.admin_role_ids):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            message = GUILD_ONLY if interaction.guild is None else REFUSAL
            await interaction.response.send_message(message, ephemeral=True)
        return False

    async def on_error(
        self, interaction: discord.Interaction[MaintenanceBot], error: app_commands.AppCommandError, /
    ) -> None:
        await send_error(interaction, error, interaction.client.runtime.redactor)
