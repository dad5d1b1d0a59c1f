"""The bot's own small store: a SQLite file in DATA_DIR holding JSON values by key."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


class StateStore:
    """Key → JSON value, persisted across restarts (check history, alert states, integrity results).

    SQLite calls run in a worker thread so the event loop never waits on the disk.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False)
            connection.execute(_SCHEMA)
            connection.commit()
            self._connection = connection
        return self._connection

    def _get(self, key: str) -> Any:
        return read_value(self._connect(), key)

    def _put(self, key: str, value: Any) -> None:
        connection = self._connect()
        write_value(connection, key, value)
        connection.commit()

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._connect()
        try:
            result = work(connection)
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
        return result

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a worker thread, one at a time.

        A cancelled caller keeps the lock until the thread is done: the thread cannot be stopped,
        and closing the connection under it would crash the process.
        """
        async with self._lock:
            task = asyncio.ensure_future(asyncio.to_thread(work, *args))
            try:
                return await asyncio.shield(task)
            except asyncio.CancelledError:
                await asyncio.wait([task])
                raise

    async def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or ``default`` when the key was never written."""
        value = await self._in_thread(self._get, key)
        return default if value is None else value

    async def put(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key``."""
        await self._in_thread(self._put, key, value)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on the connection in a worker thread, as one transaction.

        For features that keep tables of their own beside the key → JSON values (the alert
        outbox and incidents): everything ``work`` writes is committed together, or rolled
        back when it raises.
        """
        return await self._in_thread(self._transaction, work)

    async def close(self) -> None:
        await self._in_thread(self._close)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def read_value(connection: sqlite3.Connection, key: str) -> Any:
    """The JSON value stored under ``key`` (None when never written), inside a `StateStore.run`."""
    row = connection.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def write_value(connection: sqlite3.Connection, key: str, value: Any) -> None:
    """Store ``value`` under ``key`` inside a `StateStore.run` (committed with the rest of the work)."""
    connection.execute(
        "INSERT INTO state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        (key, json.dumps(value)),
    )
