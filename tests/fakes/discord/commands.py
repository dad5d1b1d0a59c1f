"""The application commands the bot registered, kept the way Discord keeps them."""

from __future__ import annotations

import copy
from typing import Any

from .snowflakes import SnowflakeFactory


class CommandRegistry:
    """Global and per-guild command lists; bulk overwrites keep a command's id while its name lives."""

    def __init__(self, new_id: SnowflakeFactory, application_id: int) -> None:
        self._new_id = new_id
        self._application_id = application_id
        self._lists: dict[int | None, list[dict[str, Any]]] = {}

    @property
    def registered(self) -> bool:
        """Whether any command list was ever written (even an empty one)."""
        return bool(self._lists)

    @property
    def all(self) -> list[dict[str, Any]]:
        """Guild commands first, then global ones: the order a lookup prefers."""
        guild_lists = [cmds for scope, cmds in self._lists.items() if scope is not None]
        return [c for cmds in guild_lists for c in cmds] + self._lists.get(None, [])

    def listing(self, guild_id: int | None) -> list[dict[str, Any]]:
        """The commands of one scope (``None`` for global)."""
        return self._lists.get(guild_id, [])

    def overwrite(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace a scope's commands and return them as Discord does, ids and versions assigned."""
        previous = {(c["name"], c["type"]): c["id"] for c in self.listing(guild_id)}
        stored = []
        for command in commands:
            kind = command.get("type", 1)
            entry = copy.deepcopy(command)
            entry.update(
                id=previous.get((command["name"], kind)) or str(self._new_id()),
                application_id=str(self._application_id),
                version=str(self._new_id()),
                type=kind,
                options=command.get("options") or [],
                default_member_permissions=command.get("default_member_permissions"),
                nsfw=command.get("nsfw", False),
            )
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        self._lists[guild_id] = stored
        return copy.deepcopy(stored)

    def find(self, name: str) -> dict[str, Any]:
        """The chat-input command called ``name``; ValueError listing what exists otherwise."""
        for command in self.all:
            if command["name"] == name and command["type"] == 1:
                return command
        names = sorted({c["name"] for c in self.all})
        raise ValueError(f"no slash command /{name} is registered; registered: {names}")
