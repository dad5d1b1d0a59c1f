"""What the monitor watches: the services (through `/check`'s runner), the database and the backups.

Each target is an async callable giving one `TargetResult` per key it covers. The log, which
needs a position kept between rounds, lives in log_watch.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from bot.alerts.results import TargetResult
from bot.backups.create import disk_free_bytes
from bot.backups.service import BackupService
from bot.config import Settings
from bot.database.connection import Database
from bot.offsite.problem import last_problem
from bot.services.catalog import SERVICE_KEYS
from bot.services.runner import CheckRunner
from bot.state import StateStore
from bot.state_errors import StateUnavailable
from bot.status import Status
from bot.units import human_bytes, human_duration

log = logging.getLogger(__name__)

SLOW_QUERY_MS = 1000.0
SCHEDULE_KEY = "alerts.backup_schedule"


class Target(Protocol):
    """One or more monitored targets, checked together."""

    keys: tuple[str, ...]

    async def __call__(self, now: datetime) -> list[TargetResult]: ...


@runtime_checkable
class PersistentTarget(Protocol):
    """A target with memory between rounds (the log's position), saved with each round."""

    state_key: str

    def snapshot(self) -> Any: ...

    def restore(self, value: Any) -> None: ...


class ServicesTarget:
    """The external services, through the shared runner: its single-flight and AniDB's cache and spacing."""

    keys: tuple[str, ...] = SERVICE_KEYS

    def __init__(self, runner: CheckRunner) -> None:
        self._runner = runner

    async def __call__(self, now: datetime) -> list[TargetResult]:
        results = await self._runner.check_all()
        return [TargetResult(r.service, now, r.status, r.latency_ms, r.detail, r.hint) for r in results]

    def only(self, key: str) -> OneService:
        """The check of one service (the Re-check button), through the same runner."""
        return OneService(self._runner, key)


class OneService:
    """One service as a target of its own: the same runner, so single-flight and AniDB's cache hold."""

    def __init__(self, runner: CheckRunner, key: str) -> None:
        self.keys: tuple[str, ...] = (key,)
        self._runner = runner

    async def __call__(self, now: datetime) -> list[TargetResult]:
        r = await self._runner.check(self.keys[0])
        return [TargetResult(r.service, now, r.status, r.latency_ms, r.detail, r.hint)]


class DatabaseTarget:
    """Aphrodite's PostgreSQL: reachable, and how long a trivial query takes."""

    keys: tuple[str, ...] = ("database",)

    def __init__(self, database: Database, slow_ms: float = SLOW_QUERY_MS) -> None:
        self._database = database
        self._slow_ms = slow_ms

    async def __call__(self, now: datetime) -> list[TargetResult]:
        database = self._database
        if not database.configured:
            return [TargetResult("database", now, Status.NOT_CONFIGURED, None, "DATABASE_URL is not set")]
        started = time.perf_counter()
        try:
            async with database.connection() as connection:
                await connection.fetchval("SELECT 1", timeout=database.timeout)
        except Exception as error:
            hint = "Check that PostgreSQL is running and that DATABASE_URL is right."
            return [TargetResult("database", now, Status.FAILED, None, database.describe(error), hint)]
        latency = (time.perf_counter() - started) * 1000
        if latency > self._slow_ms:
            detail = f"Slow: a trivial query took {latency:.0f} ms (over {self._slow_ms:.0f} ms)"
            hint = "PostgreSQL answers slowly: check its load, locks and the disk."
            return [TargetResult("database", now, Status.DEGRADED, latency, detail, hint)]
        return [TargetResult("database", now, Status.OK, latency, f"Reachable ({database.masked_dsn})")]


async def record_scheduled_backup(state: StateStore, at: datetime, error: str | None) -> None:
    """Remember the outcome of the latest scheduled backup (``error`` None when it worked)."""
    try:
        await state.put(SCHEDULE_KEY, {"at": at.isoformat(), "error": error})
    except StateUnavailable as problem:  # the monitor tells the channel about the store
        log.warning("the scheduled backup's outcome is not kept: %s", problem)


class BackupsTarget:
    """Backups: the last scheduled one (or its off-site copy) failed; none good for too long; too
    little free space for the next."""

    keys: tuple[str, ...] = ("backups",)

    def __init__(
        self,
        settings: Settings,
        backups: BackupService,
        state: StateStore,
        free_space: Callable[[Path], int] = disk_free_bytes,
    ) -> None:
        self._schedule = timedelta(hours=settings.backup_schedule_hours)
        self._backups = backups
        self._state = state
        self._free_space = free_space

    async def __call__(self, now: datetime) -> list[TargetResult]:
        def result(status: Status, detail: str, hint: str | None = None) -> list[TargetResult]:
            return [TargetResult("backups", now, status, None, detail, hint)]

        try:
            record = await self._state.get(SCHEDULE_KEY)
        except StateUnavailable:  # the monitor tells the channel about the store; the rest still counts
            record = None
        backups = await self._backups.list()
        good = [backup for backup in backups if backup.verified or backup.made_by_aphrodite]
        if record and record.get("error"):
            failed_at = datetime.fromisoformat(record["at"])
            if not good or good[0].created_at < failed_at:  # a good backup since then settles it
                return result(
                    Status.FAILED,
                    f"Scheduled backup failed: {record['error']}",
                    "Fix the cause above; the schedule retries within the hour (/backup create to try now).",
                )
        try:
            upload = await last_problem(self._state)
        except StateUnavailable:  # as for the schedule's record above
            upload = None
        if upload is not None:
            return result(
                Status.FAILED,
                f"Off-site copy of {upload['name']} failed: {upload['error']}",
                "Check OFFSITE_* and the store; `backup push NAME` retries it, the next backup does too.",
            )
        if self._schedule > timedelta(0):
            limit = 2 * self._schedule
            if not good or now - good[0].created_at > limit:
                since = "ever" if not good else f"for {human_duration(now - good[0].created_at)}"
                return result(
                    Status.FAILED,
                    f"No good backup {since} (the schedule makes one every {human_duration(self._schedule)})",
                    "Check the bot's log for failed scheduled backups; /backup create to make one now.",
                )
        if not backups:
            return result(Status.OK, "No backups yet")
        last = backups[0]
        try:
            free = await asyncio.to_thread(self._free_space, self._backups.backup_dir)
        except OSError as error:
            return result(Status.FAILED, f"Cannot read free space in the backup folder: {error.strerror}")
        if free < 2 * last.size:
            return result(
                Status.DEGRADED,
                f"Only {human_bytes(free)} free in the backup folder; the next backup needs about "
                f"{human_bytes(2 * last.size)} (twice the last, {last.name})",
                "Delete old backups (/backup delete) or free disk space before the next backup fails.",
            )
        age = human_duration(now - last.created_at)
        return result(Status.OK, f"{len(backups)} backups, newest {age} old; {human_bytes(free)} free")
