"""Automatic backups every BACKUP_SCHEDULE_HOURS, then retention (BACKUP_KEEP; Discord-free).

The bot starts a `BackupScheduler` with callbacks: ``on_failure`` posts the alert, ``on_success``
(optional) may post a note. The schedule survives restarts: the next run is due one interval
after the newest scheduled backup in the folder, not one interval after the bot started.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.backups.inventory import KIND_SCHEDULED
from bot.backups.lock import BackupBusy
from bot.backups.results import BackupResult
from bot.backups.service import BackupService
from bot.config import Settings
from bot.errors import OpsError
from bot.schedule import Schedule, utc_now

log = logging.getLogger(__name__)

SCHEDULER_LABEL = "the backup schedule"


@dataclass(frozen=True)
class ScheduledBackupFailure:
    """A scheduled backup that failed; ``error`` is safe to show."""

    error: str
    failed_at: datetime
    consecutive_failures: int
    next_attempt_at: datetime


@dataclass(frozen=True)
class ScheduledBackupDone:
    """A scheduled backup that worked, and the old backups retention removed after it."""

    backup: BackupResult
    pruned: tuple[str, ...]
    prune_error: str | None
    next_run_at: datetime


FailureCallback = Callable[[ScheduledBackupFailure], Awaitable[None]]
SuccessCallback = Callable[[ScheduledBackupDone], Awaitable[None]]


class BackupScheduler(Schedule):
    """A backup, then retention, every ``every`` (off when 0).

    After a failure the next attempt comes after ``retry_after`` (or the interval, if shorter);
    when another backup or restore is running the run waits ``busy_retry``, without an alert.
    """

    task_name = "backup-schedule"
    what = "scheduled backups"

    def __init__(
        self,
        service: BackupService,
        *,
        every: timedelta,
        keep: int,
        on_failure: FailureCallback,
        on_success: SuccessCallback | None = None,
        retry_after: timedelta = timedelta(hours=1),
        busy_retry: timedelta = timedelta(minutes=10),
        startup_delay: timedelta = timedelta(minutes=2),
    ) -> None:
        super().__init__(every)
        self.service = service
        self.keep = keep
        self._on_failure = on_failure
        self._on_success = on_success
        self._retry_after = retry_after
        self._busy_retry = busy_retry
        self._startup_delay = startup_delay
        self._failures = 0

    @classmethod
    def from_settings(
        cls,
        service: BackupService,
        settings: Settings,
        *,
        on_failure: FailureCallback,
        on_success: SuccessCallback | None = None,
    ) -> BackupScheduler:
        return cls(
            service,
            every=timedelta(hours=settings.backup_schedule_hours),
            keep=settings.backup_keep,
            on_failure=on_failure,
            on_success=on_success,
        )

    async def run_once(self) -> ScheduledBackupDone | None:
        """One scheduled backup and its retention; failures go to ``on_failure``, never raise."""
        try:
            backup = await self.service.create(label=SCHEDULER_LABEL, kind=KIND_SCHEDULED)
        except BackupBusy as busy:
            self.next_run_at = utc_now() + self._busy_retry
            log.info("scheduled backup postponed: %s", busy)
            return None
        except OpsError as error:
            await self._failed(str(error))
            return None
        except Exception as error:
            log.exception("scheduled backup crashed")
            await self._failed(f"unexpected error ({type(error).__name__}); see the bot's log")
            return None
        self._failures = 0
        self.next_run_at = utc_now() + self.every
        retention = await self.service.apply_retention(self.keep, label=SCHEDULER_LABEL)
        done = ScheduledBackupDone(backup, retention.pruned, retention.error, self.next_run_at)
        if self._on_success is not None:
            await _call_safely(self._on_success, done)
        return done

    async def _failed(self, error: str) -> None:
        self._failures += 1
        now = utc_now()
        self.next_run_at = now + min(self.every, self._retry_after)
        log.warning("scheduled backup failed (%d in a row): %s", self._failures, error)
        failure = ScheduledBackupFailure(error, now, self._failures, self.next_run_at)
        await _call_safely(self._on_failure, failure)

    async def first_run_at(self) -> datetime:
        """One interval after the newest scheduled backup; soon after start when that is past."""
        now = utc_now()
        scheduled = [backup for backup in await self.service.list() if backup.kind == KIND_SCHEDULED]
        earliest = now + self._startup_delay
        if not scheduled:
            return earliest
        return max(scheduled[0].created_at + self.every, earliest)


async def _call_safely(callback: Callable[..., Awaitable[None]], value: object) -> None:
    try:
        await callback(value)
    except Exception:
        log.exception("backup schedule callback failed")
