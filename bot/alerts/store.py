"""The monitor's persistence in the state store: engine state, outbox and incident history.

A round's outcome (the engine's state, the log position, the new notices and the incidents they
open or close) is written in one transaction, so a crash can neither lose a notice nor send one
twice after the restart.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.alerts.engine_state import EngineState
from bot.alerts.history import IncidentHistory, IncidentRecord
from bot.alerts.notices import Notice, NoticeKind
from bot.state import StateStore, read_value, write_value
from bot.status import Status

T = TypeVar("T")
log = logging.getLogger(__name__)

ENGINE_KEY = "alerts.engine"
# Delivered notices are kept this long: the Download button of a log summary reads its entries here.
DELIVERED_KEPT = timedelta(days=7)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    happened_at TEXT NOT NULL,
    notice TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox (delivered_at, id);
CREATE TABLE IF NOT EXISTS alert_incidents (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    severity TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    ended_after TEXT,
    detail TEXT NOT NULL,
    hint TEXT
);
CREATE INDEX IF NOT EXISTS alert_incidents_started ON alert_incidents (started_at);
"""


class AlertStore:
    """The monitor's tables and keys in the bot's `StateStore`."""

    def __init__(self, state: StateStore) -> None:
        self._state = state
        self._ready_on: sqlite3.Connection | None = None  # a fresh file after a set-aside has no tables

    @property
    def path(self) -> Path:
        return self._state.path

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in one transaction; a stored value of the wrong shape fails as StateUnavailable."""

        def in_transaction(connection: sqlite3.Connection) -> T:
            if self._ready_on is not connection:
                connection.executescript(_SCHEMA)
                self._ready_on = connection
            try:
                return work(connection)
            except (KeyError, TypeError, AttributeError) as error:
                raise ValueError(
                    f"a stored value has the wrong shape ({type(error).__name__}: {error})"
                ) from error

        return await self._state.run(in_transaction)

    async def set_aside(self) -> Path | None:
        """Move a corrupt state file aside (see `StateStore.set_aside`); where it went."""
        return await self._state.set_aside()

    async def load_engine(self) -> EngineState:
        """The engine's state as last saved (a fresh one before the first round)."""
        return await self._run(lambda c: EngineState.from_dict(read_value(c, ENGINE_KEY)))

    async def read(self, key: str) -> Any:
        return await self._run(lambda c: read_value(c, key))

    async def save(
        self,
        engine: EngineState,
        notices: Sequence[Notice],
        values: Mapping[str, Any] | None = None,
        *,
        delivered: Sequence[tuple[Notice, datetime]] = (),
    ) -> list[Notice]:
        """Persist a round: the engine, extra ``values`` by key, the notices (returned with their ids).

        ``delivered``: notices posted while the store failed, with when; kept as delivered (their
        incidents enter the history), before the round's ``notices``.
        """

        def work(connection: sqlite3.Connection) -> list[Notice]:
            write_value(connection, ENGINE_KEY, engine.to_dict())
            for key, value in (values or {}).items():
                write_value(connection, key, value)
            for notice, at in delivered:
                _enqueue(connection, notice, delivered_at=at)
                _record_incident(connection, notice)
            stored = []
            for notice in notices:
                stored.append(_enqueue(connection, notice))
                _record_incident(connection, notice)
            return stored

        return await self._run(work)

    async def pending(self, limit: int = 50) -> list[Notice]:
        """Notices not delivered yet, oldest first."""

        def work(connection: sqlite3.Connection) -> list[Notice]:
            rows = connection.execute(
                "SELECT id, notice FROM alert_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
            return [
                notice for notice_id, text in rows if (notice := _pending_notice(connection, notice_id, text))
            ]

        return await self._run(work)

    async def pending_count(self) -> int:
        def work(connection: sqlite3.Connection) -> int:
            query = "SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL"
            return int(connection.execute(query).fetchone()[0])

        return await self._run(work)

    async def mark_delivered(self, notice_id: int, at: datetime) -> None:
        def work(connection: sqlite3.Connection) -> None:
            connection.execute("UPDATE alert_outbox SET delivered_at = ? WHERE id = ?", (_iso(at), notice_id))

        await self._run(work)

    async def notice(self, notice_id: int) -> Notice | None:
        """A stored notice by id (delivered or not); None when unknown or pruned."""

        def work(connection: sqlite3.Connection) -> Notice | None:
            row = connection.execute("SELECT notice FROM alert_outbox WHERE id = ?", (notice_id,)).fetchone()
            return None if row is None else Notice.from_dict(_json(row[0]), notice_id)

        return await self._run(work)

    async def history(self, target: str | None, since: datetime, now: datetime) -> IncidentHistory:
        """Incidents that started after ``since`` or are still open, newest first."""

        def work(connection: sqlite3.Connection) -> list[IncidentRecord]:
            query = (
                "SELECT id, target, severity, started_at, ended_at, ended_after, detail, hint "
                "FROM alert_incidents WHERE (started_at >= ? OR ended_at IS NULL)"
            )
            parameters: list[Any] = [_iso(since)]
            if target is not None:
                query += " AND target = ?"
                parameters.append(target)
            rows = connection.execute(query + " ORDER BY started_at DESC, id DESC", parameters).fetchall()
            return [_incident(row) for row in rows]

        return IncidentHistory(target, since, now, tuple(await self._run(work)))

    async def prune(self, now: datetime, history_days: int) -> None:
        """Forget incidents that ended more than ``history_days`` ago and old delivered notices."""

        def work(connection: sqlite3.Connection) -> None:
            connection.execute(
                "DELETE FROM alert_incidents WHERE ended_at IS NOT NULL AND ended_at < ?",
                (_iso(now - timedelta(days=history_days)),),
            )
            connection.execute(
                "DELETE FROM alert_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                (_iso(now - DELIVERED_KEPT),),
            )

        await self._run(work)


def _pending_notice(connection: sqlite3.Connection, notice_id: int, text: str) -> Notice | None:
    """The queued notice; one that does not decode is dropped with a log line, or it would block the rest."""
    try:
        return Notice.from_dict(_json(text), notice_id)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        log.error(
            "alert %d in the outbox cannot be read (%s: %s): dropped", notice_id, type(error).__name__, error
        )
        connection.execute(
            "UPDATE alert_outbox SET delivered_at = ? WHERE id = ?", (_iso(datetime.now(UTC)), notice_id)
        )
        return None


def _enqueue(
    connection: sqlite3.Connection, notice: Notice, *, delivered_at: datetime | None = None
) -> Notice:
    cursor = connection.execute(
        "INSERT INTO alert_outbox (happened_at, notice, delivered_at) VALUES (?, ?, ?)",
        (_iso(notice.at), _dumps(notice.to_dict()), _iso(delivered_at)),
    )
    return notice.with_id(int(cursor.lastrowid or 0))


def _record_incident(connection: sqlite3.Connection, notice: Notice) -> None:
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
                _iso(notice.started_at),
                notice.detail,
                notice.hint,
            ),
        )
    elif notice.kind in (NoticeKind.ESCALATED, NoticeKind.REMINDER):
        connection.execute(
            "UPDATE alert_incidents SET severity = ?, detail = ?, hint = ? WHERE id = ?",
            (notice.status.value, notice.detail, notice.hint, notice.incident_id),
        )
    elif notice.kind is NoticeKind.RECOVERED:
        connection.execute(
            "UPDATE alert_incidents SET ended_at = ?, ended_after = ? WHERE id = ?",
            (_iso(notice.ended_at), _iso(notice.ended_after), notice.incident_id),
        )


def _incident(row: tuple[Any, ...]) -> IncidentRecord:
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


def _iso(moment: datetime | None) -> str | None:
    """UTC ISO text: sorts as time does, which the range queries rely on."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json(text: str) -> Any:
    return json.loads(text)
