"""Past incidents: what failed, when, for how long, and the mean time to recovery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.status import Status


@dataclass(frozen=True)
class IncidentRecord:
    """One incident as the history keeps it; ``ended_at`` None while it is still open.

    When the bot was down as it ended, it ended between ``ended_after`` and ``ended_at``.
    """

    id: int
    target: str
    severity: Status
    started_at: datetime
    ended_at: datetime | None
    ended_after: datetime | None
    detail: str
    hint: str | None

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def duration(self, now: datetime) -> timedelta:
        """How long it lasted (so far, when open); the longest it can have been when uncertain."""
        return (self.ended_at or now) - self.started_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "severity": self.severity.value,
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "ended_after": None if self.ended_after is None else self.ended_after.isoformat(),
            "detail": self.detail,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class IncidentHistory:
    """The incidents of ``target`` (None: every target) that started after ``since``, newest first."""

    target: str | None
    since: datetime
    measured_at: datetime
    incidents: tuple[IncidentRecord, ...]

    @property
    def mean_time_to_recovery(self) -> timedelta | None:
        """Mean duration of the incidents that ended; None when none has."""
        closed = [incident.duration(self.measured_at) for incident in self.incidents if not incident.open]
        if not closed:
            return None
        return sum(closed, timedelta()) / len(closed)

    def to_dict(self) -> dict[str, Any]:
        mttr = self.mean_time_to_recovery
        return {
            "target": self.target,
            "since": self.since.isoformat(),
            "measured_at": self.measured_at.isoformat(),
            "mean_time_to_recovery_seconds": None if mttr is None else mttr.total_seconds(),
            "incidents": [incident.to_dict() for incident in self.incidents],
        }


def worst_open(incidents: Sequence[IncidentRecord]) -> Status:
    """The most severe open incident's status; OK when none is open."""
    open_ = [incident.severity for incident in incidents if incident.open]
    return max(open_, key=lambda status: status.severity, default=Status.OK)
