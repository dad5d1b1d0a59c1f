"""The audit table in the bot's state store: append-only, pruned only of rows older than HISTORY_DAYS.

SQLite triggers refuse every UPDATE, and every DELETE of a row younger than a day (HISTORY_DAYS is
at least 1), so no code path can rewrite or drop what happened; the retention prune is the only
DELETE. The mirror's progress (which records were posted to AUDIT_CHANNEL_ID) is a key of the
state table, not a column, so posting never touches the records.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot.audit.record import Actor, AuditAction, AuditRecord, AuditSource, Outcome, OutcomeKind
from bot.errors import OpsError
from bot.state import StateStore, read_value, write_value

log = logging.getLogger(__name__)

T = TypeVar("T")

SCHEMA_KEY = "audit.schema_version"
SCHEMA_VERSION = 1
MIRRORED_KEY = "audit.mirrored_through"
# What one listing returns at most: /audit pages and `audit --json` stay bounded.
MAX_LISTED = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_id INTEGER,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_kept_a_day BEFORE DELETE ON audit_log
WHEN old.at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day')
BEGIN
    SELECT RAISE(ABORT, 'audit records younger than a day are never deleted');
END;
"""

_COLUMNS = "id, at, actor_name, actor_id, source, action, target, outcome, reason"


class AuditUnavailable(OpsError):
    """The audit table cannot be used as it is (written by a newer version of the bot)."""


class AuditStore:
    """The audit table of a `StateStore` (DATA_DIR/state.sqlite3), created on first use."""

    def __init__(self, state: StateStore) -> None:
        self._state = state
        self._ready = False

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def in_transaction(connection: sqlite3.Connection) -> T:
            if not self._ready:
                _prepare(connection, self._state.path)
                self._ready = True
            return work(connection)

        return await self._state.run(in_transaction)

    async def append(
        self,
        at: datetime,
        actor: Actor,
        source: AuditSource,
        action: AuditAction,
        target: str | None,
        outcome: Outcome,
    ) -> AuditRecord:
        """Store one record (the caller has redacted and bounded its text); it comes back with its id."""

        def work(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(
                f"INSERT INTO audit_log ({_COLUMNS.removeprefix('id, ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _iso(at),
                    actor.name,
                    actor.id,
                    source.value,
                    action.value,
                    target,
                    outcome.kind.value,
                    outcome.reason,
                ),
            )
            return int(cursor.lastrowid or 0)

        record_id = await self._run(work)
        return AuditRecord(record_id, at, actor, source, action, target, outcome)

    async def since(
        self, since: datetime, *, actor_id: int | None = None, actor_name: str | None = None
    ) -> list[AuditRecord]:
        """Records made at or after ``since``, newest first, bounded; only those of ``actor_id`` or
        ``actor_name`` (any case) when given."""

        def work(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            query = f"SELECT {_COLUMNS} FROM audit_log WHERE at >= ?"
            parameters: list[Any] = [_iso(since)]
            if actor_id is not None:
                query += " AND actor_id = ?"
                parameters.append(actor_id)
            if actor_name is not None:
                query += " AND lower(actor_name) = lower(?)"
                parameters.append(actor_name)
            query += " ORDER BY id DESC LIMIT ?"
            return connection.execute(query, [*parameters, MAX_LISTED]).fetchall()

        return _records(await self._run(work))

    async def after(self, record_id: int, limit: int = 50) -> list[AuditRecord]:
        """Records with an id above ``record_id``, oldest first (what the mirror has not posted)."""

        def work(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            query = f"SELECT {_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?"
            return connection.execute(query, (record_id, limit)).fetchall()

        return _records(await self._run(work))

    async def prune(self, now: datetime, keep_days: int) -> int:
        """Delete the records older than ``keep_days``; how many went."""

        def work(connection: sqlite3.Connection) -> int:
            cutoff = _iso(now - timedelta(days=keep_days))
            return connection.execute("DELETE FROM audit_log WHERE at < ?", (cutoff,)).rowcount

        return await self._run(work)

    async def mirrored_through(self) -> int | None:
        """The id of the last record the mirror handled; None before the mirror ever ran."""
        value = await self._run(lambda c: read_value(c, MIRRORED_KEY))
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    async def mark_mirrored_through(self, record_id: int) -> None:
        await self._run(lambda c: write_value(c, MIRRORED_KEY, record_id))

    async def newest_id_before(self, moment: datetime) -> int:
        """The id of the newest record made before ``moment`` (0 without any): where a new mirror starts."""

        def work(connection: sqlite3.Connection) -> int:
            query = "SELECT coalesce(max(id), 0) FROM audit_log WHERE at < ?"
            return int(connection.execute(query, (_iso(moment),)).fetchone()[0])

        return await self._run(work)


def _prepare(connection: sqlite3.Connection, path: object) -> None:
    version = read_value(connection, SCHEMA_KEY)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise AuditUnavailable(
            f"the audit table in {path} has schema version {version}, newer than this bot's "
            f"{SCHEMA_VERSION}: upgrade the bot to read it"
        )
    connection.executescript(_SCHEMA)
    if version != SCHEMA_VERSION:
        write_value(connection, SCHEMA_KEY, SCHEMA_VERSION)


def _records(rows: list[tuple[Any, ...]]) -> list[AuditRecord]:
    """The rows that read as records; others (the file is untrusted input) are skipped, and logged."""
    records = []
    for row in rows:
        try:
            records.append(_record(row))
        except (TypeError, ValueError):
            log.warning("skipped audit record %r: it does not read as one", row[0])
    return records


def _record(row: tuple[Any, ...]) -> AuditRecord:
    identifier, at, actor_name, actor_id, source, action, target, outcome, reason = row
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        raise ValueError("a time without a zone")
    return AuditRecord(
        id=int(identifier),
        at=moment,
        actor=Actor(str(actor_name), None if actor_id is None else int(actor_id)),
        source=AuditSource(source),
        action=AuditAction(action),
        target=None if target is None else str(target),
        outcome=Outcome(OutcomeKind(outcome), None if reason is None else str(reason)),
    )


def _iso(moment: datetime) -> str:
    """UTC ISO text: sorts as time does, which the range queries and the delete trigger rely on."""
    return moment.astimezone(UTC).isoformat()
