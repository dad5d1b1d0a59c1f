"""Untrusted text made inert for Discord: what a service, PostgreSQL or a file says shows as typed.

A service's error body, a `RAISE EXCEPTION` message, a table name or a log line can hold Discord
markup: a masked link (`[click](http://evil)`) beside the role ping, `@everyone`, a heading, a
code fence that closes the bot's own block. Everything such text passes through `inert` (or
`inline_code` / `limits.code_block` when it is shown as code) before it reaches an embed or a
message; the bot's own words keep their markup.
"""

from __future__ import annotations

import re

import discord

ZERO_WIDTH_SPACE = "\u200b"
# A scheme's "://" with a zero-width space inside: Discord no longer makes the URL a link.
_URL_SCHEME = re.compile(r"(?<=[A-Za-z0-9+.-]):(?=//)")
# One underscore inside a word (DATABASE_URL, pg_dump) can neither open nor close Discord's italics
# (they need a word boundary), so it stays readable in previews and notifications unescaped.
_INTRAWORD_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])\\_(?=[A-Za-z0-9])")


def inert(text: str) -> str:
    """``text`` exactly as typed on Discord: markdown escaped, mentions and links defused."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    escaped = _INTRAWORD_UNDERSCORE.sub("_", escaped)
    return _URL_SCHEME.sub(":" + ZERO_WIDTH_SPACE, escaped)


def inline_code(text: str) -> str:
    """``text`` as inline code when no backtick can end it early; as inert text otherwise."""
    if "`" in text or "\n" in text or not text:
        return inert(text)
    return f"`{text}`"
