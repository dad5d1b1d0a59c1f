"""The bot's own small store: a SQLite file in DATA_DIR holding JSON values by key.

Every failure (the file corrupt, read-only, on a full disk, DATA_DIR a file, a value that is not
JSON) is raised as `StateUnavailable`, saying why and what to fix; the next call tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.state_errors import CORRUPT_SUFFIX, state_unavailable
from bot.worker_thread import in_thread_holding

T = TypeVar("T")
log = logging.getLogger(__name__)
_COMPANIONS = ("-journal", "-wal", "-shm")  # SQLite's files beside the database

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
        try:
            return read_value(self._connect(), key)
        except ValueError as error:  # a cache's value: the next put replaces it
            log.warning("the state store %s holds an unreadable %r (%s): ignored", self.path, key, error)
            return None

    def _put(self, key: str, value: Any) -> None:
        connection = self._connect()
        write_value(connection, key, value)
        connection.commit()

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._connect()
        try:
            result = work(connection)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.rollback()
            raise
        connection.commit()
        return result

    def _guarded(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)``; a failure closes the connection (the next call reopens) and says why."""
        try:
            return work(*args)
        except (sqlite3.Error, OSError, ValueError) as error:
            with contextlib.suppress(sqlite3.Error):
                self._close()
            raise state_unavailable(self.path, error) from error

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a worker thread, one at a time, its failures as StateUnavailable.

        A cancelled caller keeps the lock until the thread is done (worker_thread.py).
        """
        return await in_thread_holding(self._lock, self._guarded, work, *args)

    async def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or ``default`` when the key was never written or holds no JSON (logged)."""
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

    async def set_aside(self) -> Path | None:
        """Move a corrupt file to ``state.sqlite3.corrupt-<UTC time>``, so the next use starts afresh.

        The user's file is kept, never deleted; None (nothing moved) when it reads well again.
        """
        return await self._in_thread(self._set_aside)

    def _set_aside(self) -> Path | None:
        self._close()
        if not _corrupt(self.path):
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}{CORRUPT_SUFFIX}{stamp}")
        for number in range(2, 100):
            if not any(Path(f"{target}{suffix}").exists() for suffix in ("", *_COMPANIONS)):
                break
            target = self.path.with_name(f"{self.path.name}{CORRUPT_SUFFIX}{stamp}-{number}")
        for suffix in _COMPANIONS:  # a journal replayed into a fresh file would corrupt it again
            companion = Path(f"{self.path}{suffix}")
            if companion.exists():
                companion.rename(f"{target}{suffix}")
        self.path.rename(target)
        log.warning(
            "the state store %s was corrupt: moved aside to %s, starting a fresh one", self.path, target
        )
        return target

    async def close(self) -> None:
        await self._in_thread(self._close)

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _corrupt(path: Path) -> bool:
    """Whether ``path`` is a file SQLite cannot read as a database (checked afresh, read-only)."""
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return bool(connection.execute("PRAGMA quick_check").fetchone() != ("ok",))
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return getattr(error, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


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
