"""Time on disk: integer epoch seconds, whole hours, and the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

HOUR = 3600
DAY = 24 * HOUR

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock; tests inject their own."""
    return datetime.now(UTC)


def to_epoch(moment: datetime) -> int:
    """Whole seconds since 1970 (UTC); a naive datetime is refused, it has no place in time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment.isoformat()} has no time zone; history needs UTC-aware times")
    return int(moment.timestamp())


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def hour_floor(seconds: int) -> int:
    """The start of the hour that ``seconds`` falls in."""
    return seconds - seconds % HOUR
