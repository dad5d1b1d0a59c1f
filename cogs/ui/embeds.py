"""Status colours and an embed builder that cannot exceed Discord's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import discord

from bot.status import Status
from cogs.ui import limits

STATUS_COLOURS = {
    Status.OK: discord.Colour.from_rgb(46, 204, 113),
    Status.DEGRADED: discord.Colour.from_rgb(241, 196, 15),
    Status.FAILED: discord.Colour.from_rgb(231, 76, 60),
    Status.NOT_CONFIGURED: discord.Colour.from_rgb(149, 165, 166),
}
STATUS_ICONS = {
    Status.OK: "🟢",
    Status.DEGRADED: "🟠",
    Status.FAILED: "🔴",
    Status.NOT_CONFIGURED: "⚪",
}
NEUTRAL = discord.Colour.blurple()


def status_line(status: Status) -> str:
    """``🟢 OK`` — icon and label, readable without colour."""
    return f"{STATUS_ICONS[status]} {status.label}"


@dataclass
class EmbedSpec:
    """What an embed says; `build()` clamps every part to Discord's limits."""

    title: str
    description: str = ""
    colour: discord.Colour = NEUTRAL
    fields: list[tuple[str, str, bool]] = field(default_factory=list)
    footer: str = ""
    timestamp: datetime | None = None

    def add_field(self, name: str, value: str, inline: bool = False) -> EmbedSpec:
        self.fields.append((name, value, inline))
        return self

    def build(self) -> discord.Embed:
        """A discord.Embed within every limit: parts truncated, fields beyond room dropped with a note."""
        title = limits.truncate(self.title, limits.EMBED_TITLE)
        footer = limits.truncate(self.footer, limits.FOOTER)
        budget = limits.EMBED_TOTAL - len(title) - len(footer)
        description = limits.truncate(self.description, min(limits.EMBED_DESCRIPTION, max(budget - 200, 0)))
        budget -= len(description)
        embed = discord.Embed(
            title=title,
            description=description or None,
            colour=self.colour,
            timestamp=self.timestamp or datetime.now(UTC),
        )
        shown = 0
        for name, value, inline in self.fields[: limits.EMBED_FIELDS]:
            name = limits.truncate(name or "\u200b", limits.FIELD_NAME)
            value = limits.truncate(value or "\u200b", limits.FIELD_VALUE)
            if len(name) + len(value) > budget - 40:
                break
            embed.add_field(name=name, value=value, inline=inline)
            budget -= len(name) + len(value)
            shown += 1
        hidden = len(self.fields) - shown
        if hidden:
            footer = limits.truncate(f"{hidden} more not shown · {footer}".rstrip(" ·"), limits.FOOTER)
        if footer:
            embed.set_footer(text=footer)
        return embed


def relative_time(moment: datetime) -> str:
    """Discord's own relative timestamp (``<t:…:R>``), rendered in each reader's locale."""
    return f"<t:{int(moment.timestamp())}:R>"


def absolute_time(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:f>"
