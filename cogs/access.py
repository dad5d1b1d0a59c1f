"""Who may use the bot: members with an admin role, or the Administrator permission, in a guild."""

from __future__ import annotations

import discord
from discord import app_commands

from cogs.errors import send_error

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

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await send_error(interaction, error, interaction.client.runtime.redactor)

    if interaction.permissions.administrator:
        return True
    return any(role.id in admin_role_ids for role in member.roles)


class GuardedTree(app_commands.CommandTree):
    """A command tree that refuses, ephemerally, everyone who may not use the bot."""

    def __init__(self, client: discord.Client, admin_role_ids: frozenset[int]) -> None:
        super().__init__(client, allowed_contexts=app_commands.AppCommandContext(guild=True))
        self.admin_role_ids = admin_role_ids

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if is_allowed(interaction, self.admin_role_ids):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            message = GUILD_ONLY if interaction.guild is None else REFUSAL
            await interaction.response.send_message(message, ephemeral=True)
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await send_error(interaction, error, interaction.client.runtime.redactor)
