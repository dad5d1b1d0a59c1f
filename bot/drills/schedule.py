"""Restore drills of the newest backup every DRILL_SCHEDULE_HOURS (Discord-free).

Each drill records its outcome for the "drills" alert target itself (service.py); ``on_done``
hears of every run (the bot audits it). The schedule survives restarts: the next drill is due one
interval after the last one recorded, not one interval after the bot started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.backups.lock import BackupBusy
from bot.drills.result import DrillResult
from bot.drills.service import DrillService
from bot.drills.target import last_drill
from bot.errors import OpsError
from bot.state import StateStore

log = logging.getLogger(__name__)

SCHEDULER_LABEL = "the drill schedule"
_LONGEST_NAP_SECONDS = 60


@dataclass(frozen=True)
class ScheduledDrill:
    """One scheduled drill: its result, or why none could run (``error``); ``name`` when known."""

    name: str | None
    result: DrillResult | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


DoneCallback = Callable[[ScheduledDrill], Awaitable[None]]


class DrillScheduler:
    """Runs `run_once` on a timer in one task; `start` and `stop` are idempotent; off when ``every`` is 0."""

    def __init__(
        self,
        service: DrillService,
        state: StateStore,
        *,
        every: timedelta,
        on_done: DoneCallback,
        busy_retry: timedelta = timedelta(minutes=10),
        startup_delay: timedelta = timedelta(minutes=5),
    ) -> None:
        self.service = service
        self.every = every
        self._state = state
        self._on_done = on_done
        self._busy_retry = busy_retry
        self._startup_delay = startup_delay
        self._task: asyncio.Task[None] | None = None
        self.next_run_at: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.every > timedelta(0)

    def start(self) -> None:
        if self.enabled and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._loop(), name="drill-schedule")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.next_run_at = None

    async def run_once(self) -> ScheduledDrill | None:
        """One drill of the newest backup; never raises; None when postponed (something else runs)."""
        self.next_run_at = _now() + self.every
        try:
            result = await self.service.drill(None, label=SCHEDULER_LABEL)
        except BackupBusy as busy:
            self.next_run_at = _now() + self._busy_retry
            log.info("scheduled drill postponed: %s", busy)
            return None
        except OpsError as error:
            log.warning("scheduled drill could not run: %s", error)
            done = ScheduledDrill(None, None, str(error))
        except Exception as error:
            log.exception("scheduled drill crashed")
            done = ScheduledDrill(None, None, f"unexpected error ({type(error).__name__}); see the bot's log")
        else:
            done = ScheduledDrill(result.name, result, None)
        try:
            await self._on_done(done)
        except Exception:
            log.exception("drill schedule callback failed")
        return done

    async def _loop(self) -> None:
        self.next_run_at = await self.first_run_at()
        log.info("restore drills every %s; next at %s", self.every, self.next_run_at.isoformat())
        while True:
            await _sleep_until(self.next_run_at)
            await self.run_once()

    async def first_run_at(self) -> datetime:
        """When the first drill after a start is due: one interval after the last, not before the delay."""
        earliest = _now() + self._startup_delay
        last = await last_drill(self._state)
        return earliest if last is None else max(last.at + self.every, earliest)


def _now() -> datetime:
    return datetime.now(UTC)


async def _sleep_until(moment: datetime) -> None:
    while True:
        remaining = (moment - _now()).total_seconds()
        if remaining <= 0:
            return
        await asyncio.sleep(min(remaining, _LONGEST_NAP_SECONDS))
