"""Database size samples: the total and the largest tables, one row set per (hourly) sample."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.history.retention import prune
from bot.history.sqlite_file import HistoryFile, checkpoint
from bot.history.timeline import from_epoch, to_epoch


@dataclass(frozen=True)
class TableBytes:
    name: str
    total_bytes: int


@dataclass(frozen=True)
class SizeSample:
    """The database's size at one moment and its largest tables then (indexes and TOAST included)."""

    at: datetime
    total_bytes: int
    tables: tuple[TableBytes, ...]

    def table_bytes(self, name: str) -> int | None:
        return next((table.total_bytes for table in self.tables if table.name == name), None)


class SizeHistory:
    """Size samples in the history's file; recording one also prunes what is past HISTORY_DAYS."""

    def __init__(self, file: HistoryFile, *, keep_days: int) -> None:
        self.file = file
        self.keep_days = keep_days

    async def record(self, sample: SizeSample) -> None:
        if sample.total_bytes < 0 or any(table.total_bytes < 0 for table in sample.tables):
            raise ValueError("a database size cannot be negative")
        await self.file.run(self._record, sample, to_epoch(sample.at))

    def _record(self, connection: sqlite3.Connection, sample: SizeSample, at: int) -> None:
        with connection:
            connection.execute(
                "INSERT OR REPLACE INTO history_db_size (at, total_bytes) VALUES (?, ?)",
                (at, sample.total_bytes),
            )
            connection.execute("DELETE FROM history_table_size WHERE at = ?", (at,))
            connection.executemany(
                "INSERT INTO history_table_size (at, name, total_bytes) VALUES (?, ?, ?)",
                [(at, table.name, table.total_bytes) for table in sample.tables],
            )
            prune(connection, at, self.keep_days)
        checkpoint(connection)

    async def samples(self, since: datetime, until: datetime) -> list[SizeSample]:
        """The samples taken in [since, until), oldest first."""
        return await self.file.run(self._samples, to_epoch(since), to_epoch(until))

    def _samples(self, connection: sqlite3.Connection, start: int, end: int) -> list[SizeSample]:
        totals = connection.execute(
            "SELECT at, total_bytes FROM history_db_size WHERE at >= ? AND at < ? ORDER BY at", (start, end)
        ).fetchall()
        tables: dict[int, list[TableBytes]] = {}
        for at, name, size in connection.execute(
            "SELECT at, name, total_bytes FROM history_table_size WHERE at >= ? AND at < ? "
            "ORDER BY at, total_bytes DESC, name",
            (start, end),
        ):
            tables.setdefault(at, []).append(TableBytes(name, size))
        return [SizeSample(from_epoch(at), total, tuple(tables.get(at, ()))) for at, total in totals]

    async def last_at(self) -> datetime | None:
        """When the newest sample was taken, if any."""
        at = await self.file.run(
            lambda connection: connection.execute("SELECT max(at) FROM history_db_size").fetchone()[0]
        )
        return None if at is None else from_epoch(at)
