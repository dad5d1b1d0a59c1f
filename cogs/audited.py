"""The cogs' audit call: the member who pressed or typed (name and id), from Discord."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import discord

from bot.audit import Actor, AuditAction, AuditSource
from bot.audit.auditor import AuditEntry
from cogs.ui.bot_of import bot_of

CANCELLED = "cancelled"
UNANSWERED = "no answer before the confirmation timed out"


def discord_actor(user: discord.User | discord.Member) -> Actor:
    return Actor(str(user), user.id)


def audited(
    interaction: discord.Interaction, action: AuditAction, target: str | None = None
) -> AbstractAsyncContextManager[AuditEntry]:
    """``async with audited(interaction, AuditAction.BACKUP_DELETE, name) as entry:`` around the work."""
    auditor = bot_of(interaction).runtime.audit
    return auditor.action(action, discord_actor(interaction.user), AuditSource.DISCORD, target)


def declined(entry: AuditEntry, confirmed: bool | None) -> None:
    """Record a confirmation that was cancelled (False) or never answered (None)."""
    entry.not_confirmed(UNANSWERED if confirmed is None else CANCELLED)
