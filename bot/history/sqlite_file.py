"""The history's own SQLite file in DATA_DIR: one connection, WAL kept small, used from threads."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.errors import OpsError
from bot.folders import FolderUnusable, ensure_folder
from bot.worker_thread import in_thread_holding

T = TypeVar("T")

# Beside state.sqlite3, not inside it: the monitor's alert bookkeeping and the history's hourly
# rollups then never wait on each other's locks, and the growing file is this one alone.
FILE_NAME = "history.sqlite3"
log = logging.getLogger(__name__)

# The write-ahead log is truncated to this size after each checkpoint (SQLite keeps the file
# otherwise at its high-water mark), and checkpointed to zero once an hour by the store.
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024

# Compact rows: integer epoch seconds, small target ids, statuses as small integers. WITHOUT
# ROWID tables store each row once, in their primary-key order, with no separate index.
SCHEMA = """
CREATE TABLE IF NOT EXISTS history_targets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS history_raw (
    target INTEGER NOT NULL,
    at INTEGER NOT NULL,
    status INTEGER NOT NULL,
    latency_ms INTEGER,
    paused INTEGER NOT NULL,
    PRIMARY KEY (target, at)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history_hourly (
    target INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    not_configured INTEGER NOT NULL,
    paused INTEGER NOT NULL,
    up_seconds REAL NOT NULL,
    down_seconds REAL NOT NULL,
    maintenance_seconds REAL NOT NULL,
    latency_count INTEGER NOT NULL,
    latency_min INTEGER,
    latency_avg REAL,
    latency_p95 INTEGER,
    latency_max INTEGER,
    PRIMARY KEY (target, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history_db_size (
    at INTEGER PRIMARY KEY,
    total_bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history_table_size (
    at INTEGER NOT NULL,
    name TEXT NOT NULL,
    total_bytes INTEGER NOT NULL,
    PRIMARY KEY (at, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


class HistoryUnavailable(OpsError):
    """The history file could not be read or written (damaged, locked too long, disk full)."""


class HistoryFile:
    """Owns the history's connection to the history file; every call runs in a worker thread, one at a time.

    A reader in another process (the CLI) waits up to ``busy_timeout`` for the bot's short writes.
    """

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._connection: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            try:
                ensure_folder("DATA_DIR", self.path.parent)
            except FolderUnusable as error:  # unusable history, as callers expect, saying why
                raise HistoryUnavailable(str(error), hint=error.hint) from None
            connection = sqlite3.connect(self.path, timeout=self._busy_timeout, check_same_thread=False)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
            connection.executescript(SCHEMA)
            self._connection = connection
        return self._connection

    def call(self, function: Callable[..., T], *args: object) -> T:
        """Run ``function(connection, *args)`` here, blocking (for code already in a worker thread)."""
        return function(self._connect(), *args)

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """Run ``function(connection, *args)`` in a worker thread, after any call still running.

        A cancelled caller keeps the lock until the thread is done, so `close` never closes the
        connection under a running call (that crashed the process at a bot's shutdown).
        """
        try:
            return await in_thread_holding(self._lock, self.call, function, *args)
        except sqlite3.DatabaseError as error:
            log.error("history store %s: %s", self.path, error)
            raise HistoryUnavailable(f"The measurement history in {self.path} is unusable: {error}") from None

    def disk_bytes(self) -> int:
        """The history file with its write-ahead log and shared-memory index, as they take space on disk."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                total += self.path.with_name(self.path.name + suffix).stat().st_size
            except FileNotFoundError:
                pass
        return total

    async def close(self) -> None:
        async with self._lock:
            if self._connection is not None:
                await asyncio.to_thread(self._connection.close)
                self._connection = None


def checkpoint(connection: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the database and truncate it to zero bytes."""
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def read_meta(connection: sqlite3.Connection, key: str, default: int = 0) -> int:
    row = connection.execute("SELECT value FROM history_meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else int(row[0])


def write_meta(connection: sqlite3.Connection, key: str, value: int) -> None:
    connection.execute(
        "INSERT INTO history_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
