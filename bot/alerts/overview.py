"""`/alerts status` and `python -m bot alerts status`: every target's state, from the engine's memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.alerts.dependencies import down_dependency
from bot.alerts.engine_state import EngineState, Incident, Silence
from bot.alerts.results import TARGETS, target_name
from bot.status import Status


@dataclass(frozen=True)
class TargetOverview:
    """One target: its last result, since when it has had that status, and its open incident.

    ``silence``: its own maintenance window (the Silence button) while open; ``held_back_by``: the
    target it depends on, down now, so its own failure opens no incident.
    """

    target: str
    name: str
    status: Status | None
    since: datetime | None
    last_at: datetime | None
    latency_ms: float | None
    detail: str
    incident: Incident | None
    flapping: bool
    silence: Silence | None = None
    held_back_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "name": self.name,
            "status": None if self.status is None else self.status.value,
            "since": None if self.since is None else self.since.isoformat(),
            "last_at": None if self.last_at is None else self.last_at.isoformat(),
            "latency_ms": self.latency_ms,
            "detail": self.detail,
            "incident": None if self.incident is None else self.incident.to_dict(),
            "flapping": self.flapping,
            "silenced_until": None if self.silence is None else self.silence.until.isoformat(),
            "silenced_by": None if self.silence is None else self.silence.by,
            "held_back_by": self.held_back_by,
        }


@dataclass(frozen=True)
class MonitorOverview:
    """The monitor as a whole. ``enabled`` is False without ALERT_CHANNEL_ID."""

    enabled: bool
    interval_seconds: float
    paused_until: datetime | None
    paused_by: str | None
    last_round_at: datetime | None
    targets: tuple[TargetOverview, ...]
    pending_notices: int
    delivery_problem: str | None
    measured_at: datetime
    store_problem: str | None = None  # the state store fails: the monitor runs from memory

    @property
    def worst_open(self) -> Status:
        """The most severe open incident (OK when none): the CLI's exit status."""
        severities = [t.incident.severity for t in self.targets if t.incident is not None]
        return max(severities, key=lambda status: status.severity, default=Status.OK)

    @property
    def paused(self) -> bool:
        return self.paused_until is not None and self.measured_at < self.paused_until

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "interval_seconds": self.interval_seconds,
            "paused_until": None if self.paused_until is None else self.paused_until.isoformat(),
            "paused_by": self.paused_by,
            "last_round_at": None if self.last_round_at is None else self.last_round_at.isoformat(),
            "worst_open_incident": self.worst_open.value,
            "pending_notices": self.pending_notices,
            "delivery_problem": self.delivery_problem,
            "store_problem": self.store_problem,
            "measured_at": self.measured_at.isoformat(),
            "targets": [target.to_dict() for target in self.targets],
        }


def overview(
    state: EngineState,
    *,
    enabled: bool,
    interval_seconds: float,
    pending_notices: int,
    delivery_problem: str | None,
    now: datetime,
    store_problem: str | None = None,
) -> MonitorOverview:
    """Every known target in the standard order (never-checked targets included, status None)."""
    targets = []
    for key in (*TARGETS, *(key for key in state.targets if key not in TARGETS)):
        target = state.targets.get(key)
        last = target.last if target else None
        targets.append(
            TargetOverview(
                target=key,
                name=target_name(key),
                status=None if last is None else last.status,
                since=None if target is None else target.since,
                last_at=None if last is None else last.at,
                latency_ms=None if last is None else last.latency_ms,
                detail="not checked yet" if last is None else last.detail,
                incident=None if target is None else target.incident,
                flapping=bool(target and target.flapping),
                silence=state.silence_of(key, now),
                held_back_by=_held_back_by(state, key),
            )
        )
    paused_until = state.paused_until if state.paused_until and now < state.paused_until else None
    return MonitorOverview(
        enabled=enabled,
        interval_seconds=interval_seconds,
        paused_until=paused_until,
        paused_by=state.paused_by if paused_until else None,
        last_round_at=state.last_round_at,
        targets=tuple(targets),
        pending_notices=pending_notices,
        delivery_problem=delivery_problem,
        measured_at=now,
        store_problem=store_problem,
    )


def _held_back_by(state: EngineState, key: str) -> str | None:
    target = state.targets.get(key)
    if target is None or target.incident is not None or target.last is None or not target.last.bad:
        return None
    return down_dependency(state, key)
