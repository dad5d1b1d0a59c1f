"""Restore drills of backups by name (`/backup drill`, `backup drill`, the schedule), one at a time.

A drill holds the backups' operation lock, so no backup, restore, deletion or other drill (from
this process or a CLI run beside it) runs meanwhile; holding it, scratch databases that a killed
drill left are dropped first. The result goes into the backup's sidecar, the state store (for the
"drills" alert target) and, when it passed, the metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.backups.inventory import BackupFile, BackupNotFound
from bot.backups.lock import BackupBusy, RunningOperation
from bot.backups.service import BackupService
from bot.database.connection import DatabaseNotConfigured
from bot.drills.compare import recorded_counts
from bot.drills.result import DrillResult
from bot.drills.runner import DrillSource, drill_file
from bot.drills.scratch import ScratchServer
from bot.drills.sidecar import keep_drill_result
from bot.drills.target import DrillOutcome, record_drill_outcome
from bot.errors import OpsError
from bot.redact import Redactor
from bot.state import StateStore

log = logging.getLogger(__name__)

DrillObserver = Callable[[datetime], None]


class NoBackupToDrill(BackupNotFound):
    """BACKUP_DIR holds no backup at all."""


class DrillService:
    """Runs drills of the backups in ``backups``' folder on ``server`` (None: no database configured)."""

    def __init__(
        self,
        backups: BackupService,
        server: ScratchServer | None,
        state: StateStore,
        *,
        redactor: Redactor,
        on_passed: DrillObserver | None = None,
    ) -> None:
        self.backups = backups
        self.server = server
        self._state = state
        self._redactor = redactor
        self._on_passed = on_passed

    async def newest(self) -> BackupFile:
        backups = await self.backups.list()
        if not backups:
            raise NoBackupToDrill(f"There is no backup in {self.backups.backup_dir} to drill.")
        return backups[0]

    async def drill(self, name: str | None, *, label: str) -> DrillResult:
        """Drill backup ``name`` (the newest when None); a failed drill is a result with ok False.

        Raises BackupNotFound, BackupBusy, DrillNotPermitted (the grant it needs), DatabaseUnavailable
        or DatabaseNotConfigured when no drill could run; those are recorded as failed drills too.
        """
        server = self._require_server()
        backup = await (self.newest() if name is None else self.backups.find(name))
        try:
            async with self.backups.lock.hold(RunningOperation(f"A restore drill of {backup.name}", label)):
                await server.sweep_leftovers()
                source = DrillSource(
                    backup.name,
                    backup.path,
                    backup.sha256,
                    recorded_counts(backup.manifest),
                    identity=backup.identity,
                    made_here=backup.made_here,
                )
                result = await drill_file(source, server, self._redactor)
                await keep_drill_result(backup, result, self.backups.seal)
        except OpsError as error:
            if not _busy(error):
                await self._remember(DrillOutcome(datetime.now(UTC), backup.name, False, str(error)))
            raise
        await self._remember(DrillOutcome(result.started_at, result.name, result.ok, summary(result)))
        if result.ok and self._on_passed is not None:
            self._on_passed(result.started_at)
        return result

    async def sweep(self, *, label: str) -> tuple[str, ...]:
        """At start: drop scratch databases a killed drill left (under the lock; skipped when busy)."""
        server = self._require_server()
        async with self.backups.lock.hold(RunningOperation("A clean-up of drill databases", label)):
            return await server.sweep_leftovers()

    async def _remember(self, outcome: DrillOutcome) -> None:
        try:
            await record_drill_outcome(self._state, outcome)
        except OSError:
            log.warning("could not record the drill outcome in the state store", exc_info=True)

    def _require_server(self) -> ScratchServer:
        if self.server is None:
            raise DatabaseNotConfigured()
        return self.server


def summary(result: DrillResult) -> str:
    """One line: '41 s, 9 tables, 12,345 rows, every count as recorded' or the first finding."""
    seconds = result.restore_seconds if result.restore_seconds is not None else result.duration_seconds
    if not result.ok:
        return result.findings[0] if result.findings else "failed"
    counted = "every count as recorded" if result.compared else "counts not recorded at dump time"
    return f"restores in {seconds:.0f} s, {len(result.tables)} tables, {result.rows:,} rows, {counted}"


def _busy(error: OpsError) -> bool:
    return isinstance(error, BackupBusy)
