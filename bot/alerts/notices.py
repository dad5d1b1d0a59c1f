"""The messages the monitor decides to send: plain data, rendered by the Discord adapter."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.alerts.results import LogErrors
from bot.status import Status


class NoticeKind(enum.Enum):
    """Why a notice is sent."""

    OPENED = "opened"  # an incident starts (red, or amber when degraded)
    ESCALATED = "escalated"  # a degraded incident turned into a failure
    REMINDER = "reminder"  # still down after ALERT_REMINDER_HOURS
    RECOVERED = "recovered"  # back to normal, with the outage's duration
    FLAPPING = "flapping"  # changes too often to alert on each change
    LOG_ERRORS = "log_errors"  # new ERROR/CRITICAL entries in Aphrodite's log
    PAUSED = "paused"  # a maintenance window starts
    RESUMED = "resumed"  # a maintenance window ends
    TEST = "test"  # `/alerts test`
    UNACKNOWLEDGED = "unacknowledged"  # nobody acknowledged it within ALERT_ESCALATE_MINUTES
    GROUPED = "grouped"  # several of the above in one round: one message (``parts``)
    STATE_STORE = "state_store"  # the bot's state store fails (red), was reset (amber), works again (green)


_MENTIONING = frozenset((NoticeKind.OPENED, NoticeKind.ESCALATED, NoticeKind.REMINDER, NoticeKind.TEST))
# The notices of an open incident: their message carries Acknowledge, Silence 1 h and Re-check.
INCIDENT_ALERTS = frozenset(
    (NoticeKind.OPENED, NoticeKind.ESCALATED, NoticeKind.REMINDER, NoticeKind.UNACKNOWLEDGED)
)
NETWORK_CAUSE = "network"  # every external service failed in the same round


@dataclass(frozen=True)
class Notice:
    """One message for the alert channel.

    ``at`` is when it happened (a late delivery says so). For RECOVERED, the outage ended at
    ``ended_at`` at the latest and, when the exact end is unknown (the bot was down), after
    ``ended_after``. ``id`` is the outbox's, 0 until stored. A GROUPED notice holds its
    ``parts`` (``cause`` NETWORK_CAUSE when every external service failed together);
    ``acknowledged_by`` names who took the incident, ``holding_back`` the dependent targets
    that opened no incident of their own because of this one.
    """

    kind: NoticeKind
    at: datetime
    status: Status = Status.OK
    target: str | None = None
    detail: str = ""
    hint: str | None = None
    incident_id: int | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    ended_after: datetime | None = None
    until: datetime | None = None
    by: str | None = None
    log_errors: LogErrors | None = None
    parts: tuple[Notice, ...] = ()
    cause: str | None = None
    acknowledged_by: str | None = None
    holding_back: tuple[str, ...] = ()
    id: int = 0

    @property
    def mentions_role(self) -> bool:
        """Only new or worse failures (and their reminders) ping the alert role; amber never does,
        nor an incident someone has acknowledged. A group pings once when any part would."""
        if self.parts:
            return any(part.mentions_role for part in self.parts)
        return self.kind in _MENTIONING and self.status is Status.FAILED and self.acknowledged_by is None

    @property
    def mentions_escalation(self) -> bool:
        """The escalation role is pinged by an incident nobody acknowledged in time."""
        if self.parts:
            return any(part.mentions_escalation for part in self.parts)
        return self.kind is NoticeKind.UNACKNOWLEDGED

    @property
    def members(self) -> tuple[Notice, ...]:
        """The single notices this one stands for: its parts, or itself."""
        return self.parts or (self,)

    @property
    def incident_ids(self) -> tuple[int, ...]:
        """The incidents this message is about (each part's, for a group)."""
        return tuple(part.incident_id for part in self.members if part.incident_id is not None)

    @property
    def has_incident_buttons(self) -> bool:
        """The message is about open incidents: it carries Acknowledge, Silence 1 h and Re-check."""
        return any(part.kind in INCIDENT_ALERTS and part.incident_id is not None for part in self.members)

    @property
    def duration(self) -> timedelta | None:
        """The outage's length (the longest it can have been when the end is uncertain)."""
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    @property
    def shortest_duration(self) -> timedelta | None:
        """The shortest the outage can have been; None when the end is known exactly."""
        if self.started_at is None or self.ended_after is None:
            return None
        return self.ended_after - self.started_at

    def with_id(self, notice_id: int) -> Notice:
        return replace(self, id=notice_id)

    def redacted(self, redact: Callable[[str], str]) -> Notice:
        """A copy with every text passed through ``redact`` (the runtime's Redactor) before posting."""
        errors = self.log_errors
        if errors is not None:
            errors = replace(
                errors, shown=tuple(redact(entry) for entry in errors.shown), text=redact(errors.text)
            )
        return replace(
            self,
            detail=redact(self.detail),
            hint=None if self.hint is None else redact(self.hint),
            by=None if self.by is None else redact(self.by),
            log_errors=errors,
            parts=tuple(part.redacted(redact) for part in self.parts),
            acknowledged_by=None if self.acknowledged_by is None else redact(self.acknowledged_by),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the outbox stores it."""
        errors = self.log_errors
        return {
            "kind": self.kind.value,
            "at": self.at.isoformat(),
            "status": self.status.value,
            "target": self.target,
            "detail": self.detail,
            "hint": self.hint,
            "incident_id": self.incident_id,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "ended_after": _iso(self.ended_after),
            "until": _iso(self.until),
            "by": self.by,
            "log_errors": None if errors is None else _errors_dict(errors),
            "parts": [part.to_dict() for part in self.parts],
            "cause": self.cause,
            "acknowledged_by": self.acknowledged_by,
            "holding_back": list(self.holding_back),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], notice_id: int = 0) -> Notice:
        errors = data.get("log_errors")
        return cls(
            kind=NoticeKind(data["kind"]),
            at=datetime.fromisoformat(data["at"]),
            status=Status(data["status"]),
            target=data.get("target"),
            detail=data.get("detail", ""),
            hint=data.get("hint"),
            incident_id=data.get("incident_id"),
            started_at=_parse(data.get("started_at")),
            ended_at=_parse(data.get("ended_at")),
            ended_after=_parse(data.get("ended_after")),
            until=_parse(data.get("until")),
            by=data.get("by"),
            log_errors=None
            if errors is None
            else LogErrors(errors["count"], tuple(errors["shown"]), errors["text"], errors["cut"]),
            parts=tuple(cls.from_dict(part) for part in data.get("parts", [])),
            cause=data.get("cause"),
            acknowledged_by=data.get("acknowledged_by"),
            holding_back=tuple(data.get("holding_back", [])),
            id=notice_id,
        )


def _errors_dict(errors: LogErrors) -> dict[str, Any]:
    return {"count": errors.count, "shown": list(errors.shown), "text": errors.text, "cut": errors.text_cut}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
