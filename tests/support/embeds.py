"""Reading embeds the fake Discord recorded, by field name rather than position."""

from __future__ import annotations

from typing import Any


def fields(embed: dict[str, Any]) -> dict[str, str]:
    """An embed's fields, value by name."""
    return {field["name"]: field["value"] for field in embed["fields"]}
