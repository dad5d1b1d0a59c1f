"""The one guild the bot lives in: users, roles and channels, and how Discord describes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from .snowflakes import SnowflakeFactory, timestamp

ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = discord.Permissions.all().value
MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
    use_application_commands=True,
).value
BOT_PERMISSIONS = MEMBER_PERMISSIONS | discord.Permissions(manage_messages=True).value
TEXT_CHANNEL = 0


@dataclass(frozen=True)
class FakeUser:
    """A guild member; ``administrator`` grants every permission, as Discord does for that bit."""

    id: int
    name: str
    roles: tuple[int, ...] = ()
    administrator: bool = False
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        """The user object."""
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass(frozen=True)
class FakeRole:
    """A guild role."""

    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False

    def payload(self) -> dict[str, Any]:
        """The role object."""
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass(frozen=True)
class FakeChannel:
    """A text channel without permission overwrites."""

    id: int
    name: str
    position: int


class FakeGuild:
    """Ids and payloads of the guild; admins hold ``admin_role``, the owner holds Administrator instead."""

    def __init__(self, new_id: SnowflakeFactory) -> None:
        self.id = new_id()
        self.name = "Aphrodite Ops"
        self.joined_at = timestamp()
        self.everyone_role = FakeRole(self.id, "@everyone", MEMBER_PERMISSIONS, 0)
        self.admin_role = FakeRole(new_id(), "media-admins", MEMBER_PERMISSIONS, 1)
        self.owner_role = FakeRole(new_id(), "owner", ADMINISTRATOR, 2)
        self.bot_role = FakeRole(new_id(), "aphrodite-ops", BOT_PERMISSIONS, 3, managed=True)
        self.roles = (self.everyone_role, self.admin_role, self.owner_role, self.bot_role)
        self.bot_user = FakeUser(new_id(), "aphrodite-ops", (self.bot_role.id,), bot=True)
        self.admin_user = FakeUser(new_id(), "alice", (self.admin_role.id,))
        self.other_admin_user = FakeUser(new_id(), "bob", (self.admin_role.id,))
        self.stranger_user = FakeUser(new_id(), "mallory")
        self.owner_user = FakeUser(new_id(), "olivia", (self.owner_role.id,), administrator=True)
        self.users = (
            self.bot_user,
            self.admin_user,
            self.other_admin_user,
            self.stranger_user,
            self.owner_user,
        )
        self.ops_channel = FakeChannel(new_id(), "ops", 0)
        self.alert_channel = FakeChannel(new_id(), "alerts", 1)
        self.channels = (self.ops_channel, self.alert_channel)

    def channel(self, channel_id: int) -> FakeChannel | None:
        """The channel with that id, if the guild has it."""
        return next((c for c in self.channels if c.id == channel_id), None)

    def role(self, role_id: int) -> FakeRole | None:
        """The role with that id, if the guild has it."""
        return next((r for r in self.roles if r.id == role_id), None)

    def permissions(self, user: FakeUser) -> int:
        """The user's permissions in any channel (no overwrites exist)."""
        value = self.everyone_role.permissions
        for role_id in user.roles:
            role = self.role(role_id)
            value |= role.permissions if role else 0
        if user.administrator or value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return value

    def member_payload(self, user: FakeUser, *, with_user: bool = True) -> dict[str, Any]:
        """The guild member object; interactions also carry the member's permissions."""
        member: dict[str, Any] = {
            "roles": [str(r) for r in user.roles],
            "joined_at": self.joined_at,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "permissions": str(self.permissions(user)),
        }
        if with_user:
            member["user"] = user.payload()
        return member

    def channel_payload(self, channel: FakeChannel, viewer: FakeUser | None = None) -> dict[str, Any]:
        """The channel object; interactions add the ``viewer``'s permissions in it."""
        payload: dict[str, Any] = {
            "id": str(channel.id),
            "type": TEXT_CHANNEL,
            "guild_id": str(self.id),
            "name": channel.name,
            "position": channel.position,
            "permission_overwrites": [],
            "parent_id": None,
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if viewer is not None:
            payload["permissions"] = str(self.permissions(viewer))
        return payload

    def payload(self) -> dict[str, Any]:
        """The full guild, as GUILD_CREATE sends it."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner_user.id),
            "unavailable": False,
            "large": False,
            "member_count": len(self.users),
            "joined_at": self.joined_at,
            "preferred_locale": "en-US",
            "features": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "roles": [role.payload() for role in self.roles],
            "channels": [self.channel_payload(c) for c in self.channels],
            "members": [self.member_payload(u) for u in self.users],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
