"""Restore drills in the bot: leftovers of a crash dropped at start, and the DRILL_SCHEDULE_HOURS timer.

`/backup drill` itself is a command of the backups cog (cogs/backups.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from discord.ext import commands

from bot.app import MaintenanceBot
from bot.audit import Actor, AuditAction, AuditSource, Outcome, OutcomeKind
from bot.backups.lock import BackupBusy
from bot.drills.schedule import SCHEDULER_LABEL, DrillScheduler, ScheduledDrill
from bot.drills.service import summary
from bot.drills.target import last_good_drill_at
from bot.errors import OpsError

log = logging.getLogger(__name__)


class Drills(commands.Cog):
    """No commands: the start-up sweep of scratch databases and the drill schedule."""

    def __init__(self, bot: MaintenanceBot) -> None:
        self.bot = bot
        runtime = bot.runtime
        self.scheduler = DrillScheduler(
            runtime.drills,
            runtime.state,
            every=timedelta(hours=runtime.settings.drill_schedule_hours),
            on_done=self._audit,
        )
        self._sweep: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        try:
            passed_at = await last_good_drill_at(self.bot.runtime.state)
        except OpsError as error:  # a failing state store: the monitor says so in the channel
            log.warning("the last good drill is not known: %s", error)
            passed_at = None
        if passed_at is not None:  # the metrics' drill timestamp survives a restart
            self.bot.runtime.metrics.record_drill(passed_at)
        if self.bot.runtime.settings.database_url is not None:
            self._sweep = asyncio.create_task(self._sweep_leftovers(), name="drill-sweep")
        self.scheduler.start()

    async def cog_unload(self) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
        await self.scheduler.stop()

    async def _sweep_leftovers(self) -> None:
        """Drop scratch databases a killed drill left; a busy lock or a down server only postpones it."""
        try:
            dropped = await self.bot.runtime.drills.sweep(label="the bot's start")
        except BackupBusy:
            log.info("drill leftovers not swept at start: another operation runs; the next drill does it")
        except OpsError as error:
            log.warning("drill leftovers not swept at start: %s", error)
        else:
            if dropped:
                log.warning("dropped %d scratch database(s) left by interrupted drills", len(dropped))

    async def _audit(self, done: ScheduledDrill) -> None:
        if done.ok:
            outcome = Outcome(OutcomeKind.OK)
        else:
            reason = done.error or (summary(done.result) if done.result else "failed")
            outcome = Outcome(OutcomeKind.FAILED, reason)
        await self.bot.runtime.audit.record(
            AuditAction.BACKUP_DRILL, Actor(SCHEDULER_LABEL), AuditSource.SCHEDULE, done.name, outcome
        )


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(Drills(bot))
