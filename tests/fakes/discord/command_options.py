"""The ``data`` of an application-command interaction, typed from the registered command tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .world import FakeGuild, FakeUser

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER = 3, 4, 5, 6, 7, 8, 10


def command_data(
    command: dict[str, Any],
    path: Sequence[str],
    values: Mapping[str, object],
    guild: FakeGuild,
    user: FakeUser,
    focused: str | None = None,
) -> dict[str, Any]:
    """What the Discord client sends for ``/command sub... values``; ``focused`` marks autocomplete.

    Raises ValueError for anything the client would not let a user send: unknown subcommands or
    options, a missing required option, a value outside its choices or bounds.
    """
    node = command
    chain = []
    for name in path:
        node = _child(node, name, (SUB_COMMAND, SUB_COMMAND_GROUP))
        chain.append(node)
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in node.get("options") or []):
        choices = [o["name"] for o in node["options"]]
        raise ValueError(f"/{command['name']} {' '.join(path)} needs a subcommand; choose from {choices}")
    resolved = _Resolved(guild, user)
    options = [_option(node, name, value, resolved, focused) for name, value in values.items()]
    if focused is None:
        missing = [
            o["name"] for o in node.get("options") or [] if o.get("required") and o["name"] not in values
        ]
        if missing:
            raise ValueError(f"/{command['name']} {' '.join(path)} requires {missing}")
    for parent in reversed(chain):
        options = [{"name": parent["name"], "type": parent["type"], "options": options}]
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
    if resolved.objects:
        data["resolved"] = resolved.objects
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    return data


def _child(node: dict[str, Any], name: str, types: tuple[int, ...]) -> dict[str, Any]:
    children = [o for o in node.get("options") or [] if o["type"] in types]
    for child in children:
        if child["name"] == name:
            return child
    raise ValueError(f"{node['name']!r} has no {name!r}; it has {[c['name'] for c in children]}")


class _Resolved:
    """The ``resolved`` objects an interaction carries for its user, channel and role options."""

    def __init__(self, guild: FakeGuild, user: FakeUser) -> None:
        self.guild = guild
        self.user = user
        self.objects: dict[str, dict[str, Any]] = {}

    def add(self, kind: str, key: int, payload: dict[str, Any]) -> str:
        self.objects.setdefault(kind, {})[str(key)] = payload
        return str(key)


def _option(
    node: dict[str, Any], name: str, value: object, resolved: _Resolved, focused: str | None
) -> dict[str, Any]:
    definition = _child(node, name, (STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER))
    kind = definition["type"]
    if name == focused:
        return {"name": name, "type": kind, "value": str(value), "focused": True}
    return {"name": name, "type": kind, "value": _typed(definition, value, resolved)}


def _typed(definition: dict[str, Any], value: object, resolved: _Resolved) -> Any:
    kind, name, guild = definition["type"], definition["name"], resolved.guild
    if kind == STRING and isinstance(value, str):
        _check_length(definition, value)
        _check_choice(definition, value)
        return value
    if kind in (INTEGER, NUMBER) and isinstance(value, int | float) and not isinstance(value, bool):
        if kind == INTEGER and not isinstance(value, int):
            raise ValueError(f"option {name!r} takes an integer, not {value!r}")
        _check_bounds(definition, value)
        _check_choice(definition, value)
        return value
    if kind == BOOLEAN and isinstance(value, bool):
        return value
    if kind == USER and isinstance(value, FakeUser):
        resolved.add("members", value.id, guild.member_payload(value, with_user=False))
        return resolved.add("users", value.id, value.payload())
    if kind == CHANNEL and isinstance(value, int) and (channel := guild.channel(value)):
        return resolved.add("channels", value, guild.channel_payload(channel, resolved.user))
    if kind == ROLE and isinstance(value, int) and (role := guild.role(value)):
        return resolved.add("roles", value, role.payload())
    raise ValueError(f"option {name!r} (type {kind}) cannot take {value!r}")


def _check_length(definition: dict[str, Any], value: str) -> None:
    low, high = definition.get("min_length", 0), definition.get("max_length", 6000)
    if not low <= len(value) <= high:
        raise ValueError(f"option {definition['name']!r} must be {low}-{high} characters, got {len(value)}")


def _check_bounds(definition: dict[str, Any], value: float) -> None:
    low, high = definition.get("min_value"), definition.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"option {definition['name']!r} must be within [{low}, {high}], got {value}")


def _check_choice(definition: dict[str, Any], value: object) -> None:
    choices = [c["value"] for c in definition.get("choices") or []]
    if choices and value not in choices:
        raise ValueError(f"option {definition['name']!r} must be one of {choices}, got {value!r}")
