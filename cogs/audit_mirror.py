"""Posting audit records to AUDIT_CHANNEL_ID: Discord's answers become MirrorFailed (retried later)
or MirrorRejected (skipped), in words saying what to fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.audit import AuditRecord
from bot.audit.mirror import MirrorFailed, MirrorRejected
from cogs.ui.audit_embeds import mirrored_embed

if TYPE_CHECKING:
    from bot.app import MaintenanceBot

_PERMISSIONS = "View Channel, Send Messages and Embed Links"
NO_MENTIONS = discord.AllowedMentions.none()


class AuditPoster:
    """`post(record)` for the `AuditMirror`: one compact embed in AUDIT_CHANNEL_ID, mentioning nobody."""

    def __init__(self, bot: MaintenanceBot, channel_id: int) -> None:
        self.bot = bot
        self.channel_id = channel_id

    async def post(self, record: AuditRecord) -> None:
        channel_id = self.channel_id
        if not self.bot.is_ready():
            raise MirrorFailed("the bot is not connected to Discord yet")
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise MirrorRejected(f"channel {channel_id} (AUDIT_CHANNEL_ID) cannot hold messages")
            await channel.send(embed=mirrored_embed(record).build(), allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as error:
            raise MirrorFailed(
                f"Discord answered 403 ({error.text or 'Missing Access'}) for channel {channel_id}: "
                f"give the bot {_PERMISSIONS} there"
            ) from None
        except discord.NotFound:
            raise MirrorFailed(
                f"channel {channel_id} does not exist or the bot cannot see it: check AUDIT_CHANNEL_ID"
            ) from None
        except discord.HTTPException as error:
            if 400 <= error.status < 500 and error.status != 429:
                raise MirrorRejected(f"Discord answered {error.status}: {error.text}") from None
            raise MirrorFailed(f"Discord answered {error.status}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise MirrorFailed(f"Discord cannot be reached ({type(error).__name__})") from None
