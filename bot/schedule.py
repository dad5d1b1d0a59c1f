"""A job run on a wall-clock timer in one task: what the backup and the drill schedules share.

A subclass says when the first run is due (`first_run_at`, so a schedule survives restarts) and
what one run does (`run_once`, which never raises and sets `next_run_at` for the run after it).
The wait re-reads the wall clock at least once a minute, so a suspended host or a changed clock
delays a run by at most that much.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)

_LONGEST_NAP_SECONDS = 60


class Schedule(ABC):
    """Runs `run_once` on a timer in one task; `start` and `stop` are idempotent; off when ``every`` is 0."""

    task_name: str
    what: str  # for the log: "scheduled backups", "restore drills"

    def __init__(self, every: timedelta) -> None:
        self.every = every
        self.next_run_at: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self.every > timedelta(0)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the timer task (nothing when the schedule is off or already running)."""
        if self.enabled and not self.running:
            self._task = asyncio.create_task(self._loop(), name=self.task_name)

    async def stop(self) -> None:
        """Stop the timer; a run in progress is cancelled."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.next_run_at = None

    @abstractmethod
    async def first_run_at(self) -> datetime:
        """When the first run after a start is due."""

    @abstractmethod
    async def run_once(self) -> object:
        """One run; never raises; sets `next_run_at`."""

    async def _loop(self) -> None:
        self.next_run_at = await self.first_run_at()
        log.info("%s every %s; next at %s", self.what, self.every, self.next_run_at.isoformat())
        while True:
            await sleep_until(self.next_run_at)
            await self.run_once()


def utc_now() -> datetime:
    return datetime.now(UTC)


async def sleep_until(moment: datetime) -> None:
    """Return at ``moment`` (wall clock), re-reading the clock at least once a minute."""
    while True:
        remaining = (moment - utc_now()).total_seconds()
        if remaining <= 0:
            return
        await asyncio.sleep(min(remaining, _LONGEST_NAP_SECONDS))
