"""HistoryStore: the monitor's results kept compactly, rolled up hourly and pruned as they age."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.history.retention import RAW_KEPT_FROM, ROLLED_UP_UNTIL, prune
from bot.history.rollup import GAP_FACTOR, HourlyAggregate, aggregate_hour, spans
from bot.history.samples import STATUSES, Measurement, RawRow, RawSample, to_row
from bot.history.sizes import SizeHistory
from bot.history.sqlite_file import HistoryFile, checkpoint, read_meta, write_meta
from bot.history.timeline import HOUR, Clock, hour_floor, to_epoch, utc_now
from bot.history.uptime import TimeTally, Uptime

log = logging.getLogger(__name__)

_RAW_COLUMNS = "at, status, latency_ms, paused"
_HOURLY_COLUMNS = ", ".join(HourlyAggregate.__dataclass_fields__)


class HistoryStore:
    """Results by target in the history file. Writing rolls finished hours up, prunes and checkpoints.

    ``interval_seconds`` is the monitor's interval: a result stands for the time until the next one,
    and results further apart than 2.5 intervals have a gap between them.
    """

    def __init__(
        self, path: Path, *, interval_seconds: float = 300, keep_days: int = 90, clock: Clock = utc_now
    ) -> None:
        self.file = HistoryFile(path)
        self.interval_seconds = interval_seconds
        self.keep_days = keep_days
        self.clock = clock
        self.sizes = SizeHistory(self.file, keep_days=keep_days)

    async def record(self, results: Sequence[Measurement]) -> None:
        """Store one round (or many, the batch path is the same); a malformed result stores nothing."""
        rows = [to_row(result) for result in results]
        if rows:
            await self.file.run(self._record, rows, to_epoch(self.clock()))

    def _record(self, connection: sqlite3.Connection, rows: list[RawRow], now: int) -> None:
        with connection:
            ids = _target_ids(connection, {row.target for row in rows})
            kept_from = read_meta(connection, RAW_KEPT_FROM)
            fresh = [row for row in rows if row.at >= kept_from]
            if len(fresh) < len(rows):
                log.warning(
                    "history: %d results older than the raw keep were not stored", len(rows) - len(fresh)
                )
            connection.executemany(
                "INSERT OR REPLACE INTO history_raw (target, at, status, latency_ms, paused) "
                "VALUES (?, ?, ?, ?, ?)",
                [(ids[row.target], row.at, row.status, row.latency_ms, row.paused) for row in fresh],
            )
            rolled = read_meta(connection, ROLLED_UP_UNTIL)
            late = {(ids[row.target], hour_floor(row.at)) for row in fresh if row.at < rolled}
            current = hour_floor(now)
            if current > rolled:
                finished = connection.execute(
                    "SELECT DISTINCT target, at - at % 3600 FROM history_raw WHERE at >= ? AND at < ?",
                    (rolled, current),
                ).fetchall()
                late.update(finished)
            for target_id, hour in sorted(late):
                self._roll_up(connection, target_id, hour)
            if current > rolled:
                write_meta(connection, ROLLED_UP_UNTIL, current)
                prune(connection, now, self.keep_days)
        if current > rolled:
            checkpoint(connection)

    def _roll_up(self, connection: sqlite3.Connection, target_id: int, hour: int) -> None:
        samples = _raw(connection, target_id, hour, hour + HOUR)
        following = connection.execute(
            "SELECT min(at) FROM history_raw WHERE target = ? AND at >= ?", (target_id, hour + HOUR)
        ).fetchone()[0]
        aggregate = aggregate_hour(hour, samples, spans(samples, self.interval_seconds, following))
        values = [target_id, *(getattr(aggregate, name) for name in HourlyAggregate.__dataclass_fields__)]
        connection.execute(
            f"INSERT OR REPLACE INTO history_hourly (target, {_HOURLY_COLUMNS}) "
            f"VALUES ({', '.join('?' * len(values))})",
            values,
        )

    async def uptime(self, target: str, since: datetime, until: datetime) -> Uptime:
        """Up, down and maintenance time of ``target`` in [since, until): raw results, then aggregates."""
        start, end = to_epoch(since), to_epoch(until)
        if end < start:
            raise ValueError("uptime: the end of the period is before its start")
        return await self.file.run(self._uptime, target, start, end)

    async def uptimes(self, since: datetime, until: datetime) -> dict[str, Uptime]:
        """The uptime of every target ever recorded over [since, until) (for `/alerts status`)."""
        start, end = to_epoch(since), to_epoch(until)
        if end < start:
            raise ValueError("uptime: the end of the period is before its start")
        return await self.file.run(self._uptimes, start, end)

    def _uptimes(self, connection: sqlite3.Connection, start: int, end: int) -> dict[str, Uptime]:
        return {
            name: self._uptime(connection, name, start, end) for name in _target_ids(connection, set(), False)
        }

    def _uptime(self, connection: sqlite3.Connection, target: str, start: int, end: int) -> Uptime:
        # Whole rolled-up hours come from their aggregates; the part-hours at either edge and the
        # hour not rolled up yet from raw results (pro rata from aggregates where raw was pruned).
        # A result counts where it was taken, as in the aggregates: its time may reach into the
        # next hour, and only the period's own edges cut it.
        tally = TimeTally()
        target_id = _target_ids(connection, set(), create=False).get(target)
        if target_id is None:
            return tally.uptime(target, start, end)
        first_whole = -(-start // HOUR) * HOUR
        last_whole = min(hour_floor(end), read_meta(connection, ROLLED_UP_UNTIL))
        pieces = [(start, end)]
        if first_whole < last_whole:
            tally.add_hours(_hourly(connection, target_id, first_whole, last_whole), start, end)
            pieces = [(start, first_whole), (last_whole, end)]
        kept_from = read_meta(connection, RAW_KEPT_FROM)
        for low, high in pieces:
            if max(low, kept_from) < high:
                self._tally_raw(connection, tally, target_id, max(low, kept_from), high, (start, end))
            if low < min(high, kept_from):
                pruned = min(high, kept_from)
                tally.add_hours(_hourly(connection, target_id, hour_floor(low), pruned), low, pruned)
        return tally.uptime(target, start, end)

    def _tally_raw(
        self,
        connection: sqlite3.Connection,
        tally: TimeTally,
        target_id: int,
        low: int,
        high: int,
        period: tuple[int, int],
    ) -> None:
        """Results taken in [low, high), and at the period's start the earlier ones reaching into it."""
        margin = int(GAP_FACTOR * self.interval_seconds) + 1 if low == period[0] else 0
        samples = _raw(connection, target_id, low - margin, high)
        following = connection.execute(
            "SELECT min(at) FROM history_raw WHERE target = ? AND at >= ?", (target_id, high)
        ).fetchone()[0]
        tally.add_samples(samples, spans(samples, self.interval_seconds, following), *period)

    async def samples(self, since: datetime, until: datetime) -> dict[str, list[RawSample]]:
        """Every target's raw results in [since, until), oldest first (raw results go back 48 hours)."""
        return await self.file.run(self._samples, to_epoch(since), to_epoch(until))

    def _samples(self, connection: sqlite3.Connection, start: int, end: int) -> dict[str, list[RawSample]]:
        targets = _target_ids(connection, set(), create=False)
        found = {name: _raw(connection, target_id, start, end) for name, target_id in targets.items()}
        return {name: samples for name, samples in found.items() if samples}

    async def hourly(self, target: str, since: datetime, until: datetime) -> list[HourlyAggregate]:
        """The hourly aggregates of ``target`` for the hours starting in [since, until)."""
        return await self.file.run(self._hourly_of, target, to_epoch(since), to_epoch(until))

    def _hourly_of(
        self, connection: sqlite3.Connection, target: str, start: int, end: int
    ) -> list[HourlyAggregate]:
        target_id = _target_ids(connection, set(), create=False).get(target)
        return [] if target_id is None else _hourly(connection, target_id, start, end)

    async def targets(self) -> list[str]:
        """Every target that was ever recorded, in the order they first appeared."""
        ids = await self.file.run(_target_ids, set(), False)
        return sorted(ids, key=ids.__getitem__)

    async def close(self) -> None:
        await self.file.close()


def _target_ids(connection: sqlite3.Connection, names: set[str], create: bool = True) -> dict[str, int]:
    if create and names:
        connection.executemany(
            "INSERT OR IGNORE INTO history_targets (name) VALUES (?)", [(name,) for name in sorted(names)]
        )
    return dict(connection.execute("SELECT name, id FROM history_targets").fetchall())


def _raw(connection: sqlite3.Connection, target_id: int, start: int, end: int) -> list[RawSample]:
    rows = connection.execute(
        f"SELECT {_RAW_COLUMNS} FROM history_raw WHERE target = ? AND at >= ? AND at < ? "
        f"AND status IN ({', '.join(map(str, STATUSES))}) ORDER BY at",  # a foreign code is not ours
        (target_id, start, end),
    ).fetchall()
    return [RawSample(at, STATUSES[status], latency, bool(paused)) for at, status, latency, paused in rows]


def _hourly(connection: sqlite3.Connection, target_id: int, start: int, end: int) -> list[HourlyAggregate]:
    rows = connection.execute(
        f"SELECT {_HOURLY_COLUMNS} FROM history_hourly "
        "WHERE target = ? AND hour >= ? AND hour < ? ORDER BY hour",
        (target_id, start, end),
    ).fetchall()
    return [HourlyAggregate(*row) for row in rows]
