"""What one monitor round found for each target: the plain data the engine and observers consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.services.catalog import SERVICES
from bot.status import Status

# Stable keys: they name rows in the state store and the history engineer's aggregates.
TARGET_NAMES: dict[str, str] = {
    **{service.key: service.name for service in SERVICES},
    "database": "Database",
    "backups": "Backups",
    "drills": "Restore drills",
    "log": "Aphrodite log",
}
TARGETS: tuple[str, ...] = tuple(TARGET_NAMES)
LOG_TARGET = "log"


def target_name(target: str) -> str:
    """The display name of a target key ("tmdb" → "TMDB")."""
    return TARGET_NAMES.get(target, target)


@dataclass(frozen=True)
class LogErrors:
    """The ERROR/CRITICAL entries that arrived in the log since the previous round (redacted).

    ``shown`` holds the first few entries for the message, ``text`` every new entry for the
    Download button (cut at a size limit, which ``text_cut`` says).
    """

    count: int
    shown: tuple[str, ...]
    text: str
    text_cut: bool = False


@dataclass(frozen=True)
class TargetResult:
    """One target's result in one round. Every text is already redacted.

    ``confirmed`` marks a failure that needs no confirmation by further rounds (a scheduled
    backup that failed): it opens an incident at once. ``paused`` is True while a maintenance
    window is open.
    """

    target: str
    at: datetime
    status: Status
    latency_ms: float | None
    detail: str
    hint: str | None = None
    paused: bool = False
    confirmed: bool = False
    log_errors: LogErrors | None = field(default=None, compare=False)

    @property
    def bad(self) -> bool:
        return self.status in (Status.DEGRADED, Status.FAILED)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the last result of each target is kept in the engine's state)."""
        return {
            "target": self.target,
            "at": self.at.isoformat(),
            "status": self.status.value,
            "latency_ms": self.latency_ms,
            "detail": self.detail,
            "hint": self.hint,
            "paused": self.paused,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetResult:
        return cls(
            target=data["target"],
            at=datetime.fromisoformat(data["at"]),
            status=Status(data["status"]),
            latency_ms=data["latency_ms"],
            detail=data["detail"],
            hint=data.get("hint"),
            paused=data.get("paused", False),
        )
