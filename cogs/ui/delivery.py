"""Delivering the result of a long operation, even after its interaction token expired.

An interaction's token (behind `edit_original_response` and `followup`) lives 15 minutes; a
backup or restore may take longer. Discord then answers 401 "Invalid Webhook Token" (code
50027), and the result is posted to the channel instead, mentioning the member who asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord

log = logging.getLogger(__name__)

INVALID_WEBHOOK_TOKEN = 50027
Files = Callable[[], list[discord.File]]


def token_expired(error: discord.HTTPException) -> bool:
    return error.code == INVALID_WEBHOOK_TOKEN


async def edit_or_post(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    files: Files = list,
) -> None:
    """Edit the original response; once the token has expired, post to the channel instead.

    ``files`` makes fresh `discord.File`\\ s for each attempt (a sent one is consumed).
    """
    try:
        await interaction.edit_original_response(content=content, embed=embed, attachments=files())
    except discord.HTTPException as error:
        if not token_expired(error):
            raise
        await post_to_channel(interaction, content=content, embed=embed, files=files())


async def post_to_channel(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    files: list[discord.File] | None = None,
) -> None:
    """Post to the interaction's channel, mentioning (and pinging) only the member who asked."""
    channel = interaction.channel
    if not isinstance(channel, discord.abc.Messageable):
        log.warning("cannot post a late result: the interaction's channel is unknown")
        return
    mention = interaction.user.mention
    await channel.send(
        content=f"{mention} {content}" if content else mention,
        embeds=[embed] if embed else [],
        files=files or [],
        allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=[interaction.user]),
    )
