"""INTERACTION_CREATE payloads with every field discord.py's ``Interaction`` reads."""

from __future__ import annotations

from typing import Any

from .world import FakeChannel, FakeGuild, FakeUser

GUILD_CONTEXT = 0
GUILD_INSTALL = "0"


def interaction_payload(
    *,
    interaction_id: int,
    token: str,
    type: int,
    user: FakeUser,
    channel: FakeChannel,
    guild: FakeGuild,
    application_id: int,
    attachment_size_limit: int,
    data: dict[str, Any],
    message: dict[str, Any] | None = None,
    locale: str = "en-US",
) -> dict[str, Any]:
    """A guild interaction by ``user`` in ``channel``; ``message`` is the one a component sits on."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": type,
        "token": token,
        "version": 1,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": guild.channel_payload(channel, user),
        "member": guild.member_payload(user),
        "app_permissions": str(guild.permissions(guild.bot_user)),
        "locale": locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {GUILD_INSTALL: str(guild.id)},
        "context": GUILD_CONTEXT,
        "attachment_size_limit": attachment_size_limit,
        "data": data,
    }
    if message is not None:
        payload["message"] = message
    return payload
