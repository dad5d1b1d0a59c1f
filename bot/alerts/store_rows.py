"""Rows of the monitor's tables: a notice queued or read back, an incident's history row, as text.

The outbox and the incident history hold JSON and UTC ISO timestamps; these are the only
functions that turn the engine's values into those columns and back (store.py runs them).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime
from typing import Any

from bot.alerts.history import IncidentRecord
from bot.alerts.notices import Notice, NoticeKind
from bot.status import Status

log = logging.getLogger(__name__)


def pending_notice(connection: sqlite3.Connection, notice_id: int, text: str) -> Notice | None:
    """The queued notice; one that does not decode is dropped with a log line, or it would block the rest."""
    try:
        return Notice.from_dict(loads(text), notice_id)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        log.error(
            "alert %d in the outbox cannot be read (%s: %s): dropped", notice_id, type(error).__name__, error
        )
        connection.execute(
            "UPDATE alert_outbox SET delivered_at = ? WHERE id = ?", (iso(datetime.now(UTC)), notice_id)
        )
        return None


def enqueue(
    connection: sqlite3.Connection, notice: Notice, *, delivered_at: datetime | None = None
) -> Notice:
    """Queue ``notice`` in the outbox (delivered already when ``delivered_at``); it, with its id."""
    cursor = connection.execute(
        "INSERT INTO alert_outbox (happened_at, notice, delivered_at) VALUES (?, ?, ?)",
        (iso(notice.at), dumps(notice.to_dict()), iso(delivered_at)),
    )
    return notice.with_id(int(cursor.lastrowid or 0))


def record_incident(connection: sqlite3.Connection, notice: Notice) -> None:
    """Project an incident notice onto the history table."""
    if notice.incident_id is None:
        return
    if notice.kind is NoticeKind.OPENED:
        connection.execute(
            "INSERT OR REPLACE INTO alert_incidents (id, target, severity, started_at, detail, hint) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                notice.incident_id,
                notice.target,
                notice.status.value,
                iso(notice.started_at),
                notice.detail,
                notice.hint,
            ),
        )
    elif notice.kind in (NoticeKind.ESCALATED, NoticeKind.REMINDER, NoticeKind.UNACKNOWLEDGED):
        connection.execute(
            "UPDATE alert_incidents SET severity = ?, detail = ?, hint = ? WHERE id = ?",
            (notice.status.value, notice.detail, notice.hint, notice.incident_id),
        )
    elif notice.kind is NoticeKind.RECOVERED:
        connection.execute(
            "UPDATE alert_incidents SET ended_at = ?, ended_after = ? WHERE id = ?",
            (iso(notice.ended_at), iso(notice.ended_after), notice.incident_id),
        )


def incident_record(row: tuple[Any, ...]) -> IncidentRecord:
    """An `alert_incidents` row as the history's record."""
    identifier, target, severity, started, ended, ended_after, detail, hint = row
    return IncidentRecord(
        id=identifier,
        target=target,
        severity=Status(severity),
        started_at=datetime.fromisoformat(started),
        ended_at=None if ended is None else datetime.fromisoformat(ended),
        ended_after=None if ended_after is None else datetime.fromisoformat(ended_after),
        detail=detail,
        hint=hint,
    )


def iso(moment: datetime | None) -> str | None:
    """UTC ISO text: sorts as time does, which the range queries rely on."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def dumps(value: Any) -> str:
    """JSON text of a stored value."""
    return json.dumps(value, ensure_ascii=False)


def loads(text: str) -> Any:
    """A stored value from its JSON text."""
    return json.loads(text)
