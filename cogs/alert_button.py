"""What every button on an alert shares: rebuilt from the alert's id in its custom_id, admins only.

The buttons are `discord.ui.DynamicItem`s, so a click on an old message works after a restart;
each class takes the alert's outbox id alone and adds its template and callback.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from cogs.access import admins_only
from cogs.ui.bot_of import bot_of


class AlertButton:
    """Mixed in before `discord.ui.DynamicItem`: `from_custom_id` and the admins-only check."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]))  # type: ignore[call-arg]  # each button takes the alert's id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await admins_only(interaction, bot_of(interaction).runtime.settings.admin_role_ids)
