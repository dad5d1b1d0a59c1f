"""The monitor's persistence in the state store: engine state, outbox and incident history.

A round's outcome (the engine's state, the log position, the new notices and the incidents they
open or close) is written in one transaction, so a crash can neither lose a notice nor send one
twice after the restart.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.alerts.engine_state import EngineState
from bot.alerts.history import IncidentHistory, IncidentRecord
from bot.alerts.notices import Notice
from bot.alerts.store_rows import enqueue, incident_record, iso, loads, pending_notice, record_incident
from bot.state import StateStore, read_value, write_value

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
CREATE TABLE IF NOT EXISTS alert_posts (
    notice_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class AlertPost:
    """Where an incident alert was posted, so its message can be marked resolved once it is over."""

    notice: Notice
    channel_id: int
    message_id: int


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
                enqueue(connection, notice, delivered_at=at)
                record_incident(connection, notice)
            stored = []
            for notice in notices:
                stored.append(enqueue(connection, notice))
                for member in notice.members:  # a grouped alert records each of its incidents
                    record_incident(connection, member)
            return stored

        return await self._run(work)

    async def pending(self, limit: int = 50) -> list[Notice]:
        """Notices not delivered yet, oldest first."""

        def work(connection: sqlite3.Connection) -> list[Notice]:
            rows = connection.execute(
                "SELECT id, notice FROM alert_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
            return [
                notice for notice_id, text in rows if (notice := pending_notice(connection, notice_id, text))
            ]

        return await self._run(work)

    async def pending_count(self) -> int:
        def work(connection: sqlite3.Connection) -> int:
            query = "SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL"
            return int(connection.execute(query).fetchone()[0])

        return await self._run(work)

    async def mark_delivered(self, notice_id: int, at: datetime) -> None:
        def work(connection: sqlite3.Connection) -> None:
            connection.execute("UPDATE alert_outbox SET delivered_at = ? WHERE id = ?", (iso(at), notice_id))

        await self._run(work)

    async def notice(self, notice_id: int) -> Notice | None:
        """A stored notice by id (delivered or not); None when unknown or pruned."""

        def work(connection: sqlite3.Connection) -> Notice | None:
            row = connection.execute("SELECT notice FROM alert_outbox WHERE id = ?", (notice_id,)).fetchone()
            return None if row is None else Notice.from_dict(loads(row[0]), notice_id)

        return await self._run(work)

    async def record_post(self, notice_id: int, channel_id: int, message_id: int) -> None:
        """Remember the message of an incident alert (until it is marked resolved, or pruned)."""

        def work(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO alert_posts (notice_id, channel_id, message_id) VALUES (?, ?, ?)",
                (notice_id, channel_id, message_id),
            )

        await self._run(work)

    async def posts_about(self, incident_ids: Iterable[int]) -> list[AlertPost]:
        """The remembered alerts about any of ``incident_ids``, oldest first."""
        wanted = set(incident_ids)

        def work(connection: sqlite3.Connection) -> list[AlertPost]:
            rows = connection.execute(
                "SELECT p.notice_id, p.channel_id, p.message_id, o.notice FROM alert_posts p "
                "JOIN alert_outbox o ON o.id = p.notice_id ORDER BY p.notice_id"
            ).fetchall()
            posts = [AlertPost(Notice.from_dict(loads(text), nid), cid, mid) for nid, cid, mid, text in rows]
            return [post for post in posts if wanted & set(post.notice.incident_ids)]

        return await self._run(work)

    async def forget_post(self, notice_id: int) -> None:
        def work(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM alert_posts WHERE notice_id = ?", (notice_id,))

        await self._run(work)

    async def history(self, target: str | None, since: datetime, now: datetime) -> IncidentHistory:
        """Incidents that started after ``since`` or are still open, newest first."""

        def work(connection: sqlite3.Connection) -> list[IncidentRecord]:
            query = (
                "SELECT id, target, severity, started_at, ended_at, ended_after, detail, hint "
                "FROM alert_incidents WHERE (started_at >= ? OR ended_at IS NULL)"
            )
            parameters: list[Any] = [iso(since)]
            if target is not None:
                query += " AND target = ?"
                parameters.append(target)
            rows = connection.execute(query + " ORDER BY started_at DESC, id DESC", parameters).fetchall()
            return [incident_record(row) for row in rows]

        return IncidentHistory(target, since, now, tuple(await self._run(work)))

    async def prune(self, now: datetime, history_days: int) -> None:
        """Forget incidents that ended more than ``history_days`` ago and old delivered notices."""

        def work(connection: sqlite3.Connection) -> None:
            connection.execute(
                "DELETE FROM alert_incidents WHERE ended_at IS NOT NULL AND ended_at < ?",
                (iso(now - timedelta(days=history_days)),),
            )
            connection.execute(
                "DELETE FROM alert_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                (iso(now - DELIVERED_KEPT),),
            )
            connection.execute("DELETE FROM alert_posts WHERE notice_id NOT IN (SELECT id FROM alert_outbox)")

        await self._run(work)
