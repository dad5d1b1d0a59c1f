"""The engine's memory: per-target counters, open incidents and the maintenance window (JSON-ready)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.alerts.results import TargetResult
from bot.status import Status


@dataclass
class Incident:
    """An open outage of one target: what failed, since when, and when the channel last heard of it.

    ``acknowledged_by``/``_at``: who took it (no reminders or escalation after that);
    ``escalated_at``: when the escalation role was mentioned.
    """

    id: int
    target: str
    severity: Status
    started_at: datetime
    opened_at: datetime
    detail: str
    hint: str | None
    notified_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    escalated_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "severity": self.severity.value,
            "started_at": self.started_at.isoformat(),
            "opened_at": self.opened_at.isoformat(),
            "detail": self.detail,
            "hint": self.hint,
            "notified_at": self.notified_at.isoformat(),
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": _iso(self.acknowledged_at),
            "escalated_at": _iso(self.escalated_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Incident:
        return cls(
            id=data["id"],
            target=data["target"],
            severity=Status(data["severity"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            opened_at=datetime.fromisoformat(data["opened_at"]),
            detail=data["detail"],
            hint=data.get("hint"),
            notified_at=datetime.fromisoformat(data["notified_at"]),
            acknowledged_by=data.get("acknowledged_by"),
            acknowledged_at=_parse(data.get("acknowledged_at")),
            escalated_at=_parse(data.get("escalated_at")),
        )


@dataclass(frozen=True)
class Silence:
    """A maintenance window of one target (the Silence button): nothing about it is sent until ``until``."""

    until: datetime
    by: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"until": self.until.isoformat(), "by": self.by}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Silence:
        return cls(datetime.fromisoformat(data["until"]), data.get("by"))


@dataclass
class TargetState:
    """One target's streaks. ``since`` is when its status last changed; ``changes`` feed flap detection."""

    target: str
    last: TargetResult | None = None
    since: datetime | None = None
    bad_rounds: int = 0
    failed_rounds: int = 0
    good_rounds: int = 0
    bad_since: datetime | None = None
    good_since: datetime | None = None
    last_bad_at: datetime | None = None
    changes: list[datetime] = field(default_factory=list)
    flapping: bool = False
    incident: Incident | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "last": None if self.last is None else self.last.to_dict(),
            "since": _iso(self.since),
            "bad_rounds": self.bad_rounds,
            "failed_rounds": self.failed_rounds,
            "good_rounds": self.good_rounds,
            "bad_since": _iso(self.bad_since),
            "good_since": _iso(self.good_since),
            "last_bad_at": _iso(self.last_bad_at),
            "changes": [moment.isoformat() for moment in self.changes],
            "flapping": self.flapping,
            "incident": None if self.incident is None else self.incident.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetState:
        return cls(
            target=data["target"],
            last=None if data.get("last") is None else TargetResult.from_dict(data["last"]),
            since=_parse(data.get("since")),
            bad_rounds=data.get("bad_rounds", 0),
            failed_rounds=data.get("failed_rounds", 0),
            good_rounds=data.get("good_rounds", 0),
            bad_since=_parse(data.get("bad_since")),
            good_since=_parse(data.get("good_since")),
            last_bad_at=_parse(data.get("last_bad_at")),
            changes=[datetime.fromisoformat(moment) for moment in data.get("changes", [])],
            flapping=data.get("flapping", False),
            incident=None if data.get("incident") is None else Incident.from_dict(data["incident"]),
        )


@dataclass
class EngineState:
    """Everything the engine must remember across a restart."""

    targets: dict[str, TargetState] = field(default_factory=dict)
    paused_until: datetime | None = None
    paused_by: str | None = None
    next_incident_id: int = 1
    last_round_at: datetime | None = None
    silences: dict[str, Silence] = field(default_factory=dict)

    def target(self, key: str) -> TargetState:
        state = self.targets.get(key)
        if state is None:
            state = self.targets[key] = TargetState(key)
        return state

    def open_incidents(self) -> list[Incident]:
        return [state.incident for state in self.targets.values() if state.incident is not None]

    def silence_of(self, target: str, now: datetime) -> Silence | None:
        """The target's own window when it is still open at ``now``."""
        silence = self.silences.get(target)
        return silence if silence is not None and now < silence.until else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "targets": {key: state.to_dict() for key, state in self.targets.items()},
            "paused_until": _iso(self.paused_until),
            "paused_by": self.paused_by,
            "next_incident_id": self.next_incident_id,
            "last_round_at": _iso(self.last_round_at),
            "silences": {key: silence.to_dict() for key, silence in self.silences.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EngineState:
        if not data:
            return cls()
        return cls(
            targets={key: TargetState.from_dict(value) for key, value in data.get("targets", {}).items()},
            paused_until=_parse(data.get("paused_until")),
            paused_by=data.get("paused_by"),
            next_incident_id=data.get("next_incident_id", 1),
            last_round_at=_parse(data.get("last_round_at")),
            silences={key: Silence.from_dict(value) for key, value in data.get("silences", {}).items()},
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
