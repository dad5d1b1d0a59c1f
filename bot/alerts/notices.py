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
    STATE_STORE = "state_store"  # the bot's state store fails (red), was reset (amber), works again (green)


_MENTIONING = frozenset((NoticeKind.OPENED, NoticeKind.ESCALATED, NoticeKind.REMINDER, NoticeKind.TEST))


@dataclass(frozen=True)
class Notice:
    """One message for the alert channel.

    ``at`` is when it happened (a late delivery says so). For RECOVERED, the outage ended at
    ``ended_at`` at the latest and, when the exact end is unknown (the bot was down), after
    ``ended_after``. ``id`` is the outbox's, 0 until stored.
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
    id: int = 0

    @property
    def mentions_role(self) -> bool:
        """Only new or worse failures (and their reminders) ping the alert role; amber never does."""
        return self.kind in _MENTIONING and self.status is Status.FAILED

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
            id=notice_id,
        )


def _errors_dict(errors: LogErrors) -> dict[str, Any]:
    return {"count": errors.count, "shown": list(errors.shown), "text": errors.text, "cut": errors.text_cut}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
