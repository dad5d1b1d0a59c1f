"""What the monitor hands the history, and how one result is kept on disk."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.history.timeline import from_epoch, to_epoch
from bot.status import Status

# Status as a small integer on disk; these numbers are a file format, never renumber them.
STATUS_CODES = {Status.OK: 0, Status.DEGRADED: 1, Status.FAILED: 2, Status.NOT_CONFIGURED: 3}
STATUSES = {code: status for status, code in STATUS_CODES.items()}
MAX_TARGET_NAME = 64


class Measurement(Protocol):
    """One result of a monitor round, as the alerts monitor produces it."""

    @property
    def target(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def status(self) -> Status: ...
    @property
    def latency_ms(self) -> float | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def paused(self) -> bool: ...


@dataclass(frozen=True)
class Observation:
    """A plain Measurement, for callers that have no monitor result object of their own."""

    target: str
    at: datetime
    status: Status
    latency_ms: float | None = None
    detail: str = ""
    paused: bool = False


@dataclass(frozen=True)
class RawSample:
    """One stored result: whole epoch seconds, whole milliseconds (the detail text is not kept)."""

    at: int
    status: Status
    latency_ms: int | None
    paused: bool

    @property
    def moment(self) -> datetime:
        return from_epoch(self.at)


@dataclass(frozen=True)
class RawRow:
    """A validated Measurement ready for the raw table (the target still by name)."""

    target: str
    at: int
    status: int
    latency_ms: int | None
    paused: int


def to_row(measurement: Measurement) -> RawRow:
    """Check one result and make it a row; anything malformed raises ValueError naming what is wrong."""
    target = measurement.target
    if not isinstance(target, str) or not target.strip() or len(target) > MAX_TARGET_NAME:
        raise ValueError(f"target must be a name of 1 to {MAX_TARGET_NAME} characters, not {target!r:.80}")
    if not isinstance(measurement.status, Status):
        raise ValueError(f"status of {target} must be a bot.status.Status, not {measurement.status!r:.80}")
    latency = measurement.latency_ms
    if latency is not None and (not math.isfinite(latency) or latency < 0):
        raise ValueError(f"latency of {target} must be a non-negative number of ms, not {latency!r}")
    return RawRow(
        target=target,
        at=to_epoch(measurement.at),
        status=STATUS_CODES[measurement.status],
        latency_ms=None if latency is None else round(latency),
        paused=int(bool(measurement.paused)),
    )
