"""Restore drills of the newest backup every DRILL_SCHEDULE_HOURS (Discord-free).

Each drill records its outcome for the "drills" alert target itself (service.py); ``on_done``
hears of every run (the bot audits it). The schedule survives restarts: the next drill is due one
interval after the last one recorded, not one interval after the bot started.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.backups.lock import BackupBusy
from bot.drills.result import DrillResult
from bot.drills.service import DrillService
from bot.drills.target import last_drill
from bot.errors import OpsError
from bot.schedule import Schedule, utc_now
from bot.state import StateStore

log = logging.getLogger(__name__)

SCHEDULER_LABEL = "the drill schedule"


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


class DrillScheduler(Schedule):
    """Drills the newest backup every ``every`` (off when 0)."""

    task_name = "drill-schedule"
    what = "restore drills"

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
        super().__init__(every)
        self.service = service
        self._state = state
        self._on_done = on_done
        self._busy_retry = busy_retry
        self._startup_delay = startup_delay

    async def run_once(self) -> ScheduledDrill | None:
        """One drill of the newest backup; never raises; None when postponed (something else runs)."""
        self.next_run_at = utc_now() + self.every
        try:
            result = await self.service.drill(None, label=SCHEDULER_LABEL)
        except BackupBusy as busy:
            self.next_run_at = utc_now() + self._busy_retry
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

    async def first_run_at(self) -> datetime:
        """When the first drill after a start is due: one interval after the last, not before the delay."""
        earliest = utc_now() + self._startup_delay
        last = await last_drill(self._state)
        return earliest if last is None else max(last.at + self.every, earliest)
