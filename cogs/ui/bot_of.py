"""The MaintenanceBot behind an interaction, for discord.py hooks typed for any client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.app import MaintenanceBot


def bot_of(interaction: discord.Interaction) -> MaintenanceBot:
    """``interaction.client``, checked: views and buttons override hooks that accept any client."""
    from bot.app import MaintenanceBot  # bot.app loads the cogs: importing it at the top is circular

    client = interaction.client
    if not isinstance(client, MaintenanceBot):
        raise TypeError(f"interaction of a {type(client).__name__}, not of the MaintenanceBot")
    return client
