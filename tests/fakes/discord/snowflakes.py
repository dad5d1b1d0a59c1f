"""Snowflake ids and ISO timestamps shaped like Discord's."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Hands out unique, increasing snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self) -> int:
        elapsed_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (elapsed_ms << 22) | (next(self._counter) & 0x3FFFFF)


def timestamp() -> str:
    """The current time as Discord writes it (ISO 8601, UTC)."""
    return datetime.now(UTC).isoformat()
