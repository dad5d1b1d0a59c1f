"""Discord's message limits, and the functions that keep text inside them."""

from __future__ import annotations

import re
from collections.abc import Iterable

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
BUTTON_LABEL = 80
CHOICE_NAME = 100
CHOICES = 25

ELLIPSIS = "…"
# A backtick followed by another: where a fence could start inside a code block.
_ADJACENT_BACKTICK = re.compile(r"`(?=`)")


def truncate(text: str, limit: int, marker: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` characters, ending with ``marker`` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(marker), 0)] + marker[:limit]


def code_block(text: str, limit: int, language: str = "") -> str:
    """A fenced code block of at most ``limit`` characters; backticks inside cannot break it.

    Discord knows only ``` fences, so every run of backticks inside (three, four or more) gets a
    zero-width space after each backtick: no two stay adjacent, and no fence can form.
    """
    fence_open, fence_close = f"```{language}\n", "\n```"
    body = _ADJACENT_BACKTICK.sub("`\u200b", text)
    room = limit - len(fence_open) - len(fence_close)
    return fence_open + truncate(body, room) + fence_close


def pack_lines(lines: Iterable[str], limit: int) -> list[str]:
    """Group lines into pages of at most ``limit`` characters each (a too-long line is cut)."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, limit)
        added = len(line) + (1 if current else 0)
        if current and size + added > limit:
            pages.append("\n".join(current))
            current, size = [], 0
            added = len(line)
        current.append(line)
        size += added
    if current:
        pages.append("\n".join(current))
    return pages
