"""Backups of Aphrodite's database: create, list, find, restore, delete, prune (`/backup`, the CLI).

`BackupService` is the one object adapters talk to. It owns the lock that lets one backup,
restore or deletion run at a time, and returns plain frozen dataclasses. Backup files are plain
SQL from pg_dump, `aphrodite_backup_YYYYMMDD_HHMMSS.sql[.gz]` in BACKUP_DIR, so Aphrodite's web
UI and this bot share one inventory (see inventory.py); `.sql.zst` ones only this bot restores.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from bot.backups.compression import Compression
from bot.backups.create import BackupMaker, BackupObserver, FreeSpace, disk_free_bytes
from bot.backups.inventory import (
    KIND_MANUAL,
    BackupFile,
    Inventory,
    find_backup,
    list_backups,
    list_inventory,
    sidecar_path,
)
from bot.backups.lock import OperationLock, RunningOperation
from bot.backups.pg_tools import PgTools
from bot.backups.progress import ProgressCallback, ProgressReporter
from bot.backups.restore.steps import run_restore
from bot.backups.results import BackupResult, DeletedBackup, RestoreResult
from bot.backups.retention import RetentionRun, backups_to_prune
from bot.backups.sidecar_seal import SidecarSeal
from bot.database.connection import Database, DatabaseNotConfigured
from bot.errors import OpsError
from bot.folders import ensure_writable_folder
from bot.redact import Redactor

log = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT_SECONDS = 15.0
_PACKING = {
    Compression.GZIP: "compressed",
    Compression.ZSTD: "zstd-compressed",
    Compression.NONE: "uncompressed",
}


class BackupService:
    """Everything `/backup` and `python -m bot backup` do, behind one lock.

    ``codec`` packs every compressed backup (BACKUP_COMPRESSION: gzip or zstd). ``seal`` signs the
    sidecars it writes and tells its own backups from the rest (its key lives in DATA_DIR, never in
    ``backup_dir``). ``free_space`` reports the free bytes of a folder (injectable so a test can
    simulate a full disk). ``lock_timeout_seconds`` is how long a restore waits for other sessions'
    locks. ``on_created`` hears of every new verified backup, a restore's safety backup too.
    ``restore_budget_seconds`` overrides a restore's time budget (replay.restore_budget).
    """

    def __init__(
        self,
        database: Database,
        backup_dir: Path,
        *,
        redactor: Redactor,
        seal: SidecarSeal,
        codec: Compression = Compression.GZIP,
        tools: PgTools | None = None,
        free_space: FreeSpace = disk_free_bytes,
        lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
        progress_interval: float = 1.5,
        on_created: BackupObserver | None = None,
        restore_budget_seconds: float | None = None,
    ) -> None:
        self.database = database
        self.backup_dir = backup_dir
        self.codec = codec
        self.tools = tools or PgTools()
        self.lock_timeout_seconds = lock_timeout_seconds
        self.restore_budget_seconds = restore_budget_seconds
        self.seal = seal
        self._redactor = redactor
        self._progress_interval = progress_interval
        self._maker = BackupMaker(
            database, backup_dir, self.tools, self._redactor, seal, free_space, on_created
        )
        self._lock = OperationLock(backup_dir)

    @property
    def lock(self) -> OperationLock:
        """The one-operation-at-a-time lock, for other operations on this folder (restore drills)."""
        return self._lock

    @property
    def running(self) -> RunningOperation | None:
        """The backup, restore or deletion this process is running now, if any."""
        return self._lock.current

    async def list(self) -> list[BackupFile]:
        """Every backup in BACKUP_DIR (ours and Aphrodite's), newest first."""
        return await list_backups(self.backup_dir, self.seal)

    async def inventory(self) -> Inventory:
        """The backups, and the other entries of BACKUP_DIR with why they are not backups."""
        return await list_inventory(self.backup_dir, self.seal)

    async def find(self, name: str) -> BackupFile:
        """The backup called ``name`` (for a download); BackupNotFound for anything else."""
        return await find_backup(self.backup_dir, name, self.seal)

    async def create(
        self,
        *,
        label: str,
        compression: Compression | None = None,
        progress: ProgressCallback | None = None,
        kind: str = KIND_MANUAL,
    ) -> BackupResult:
        """Dump the database into a new verified backup; ``label`` says who asked (for busy messages).

        ``compression`` None packs it with the configured ``codec``.
        """
        self._require_database()
        compression = self.codec if compression is None else compression
        await self._require_writable_folder()
        summary = f"A backup ({_PACKING[compression]})"
        async with self._lock.hold(RunningOperation(summary, label)):
            reporter = self._reporter(progress, "backup")
            try:
                return await self._maker.create(
                    compression=compression, kind=kind, label=label, reporter=reporter
                )
            finally:
                await reporter.close()

    async def restore(
        self, name: str, *, label: str, progress: ProgressCallback | None = None
    ) -> RestoreResult:
        """Safety backup, then replace the database with backup ``name``; all or nothing.

        Raises RestoreFailed (RestoreBlocked when other sessions hold the tables, RestoreRefused
        for a file pg_dump did not write as it is) with the database unchanged, RestoreNotRolledBack
        when it may have changed, BackupNotFound for a name that is not a backup, BackupBusy when
        another operation runs, ClientToolMissing when pg_dump is not installed.
        """
        self._require_database()
        backup = await find_backup(self.backup_dir, name, self.seal)
        await self._require_writable_folder()  # the safety backup goes there
        self.tools.locate("pg_dump")  # missing: say so before anything (the replay needs no psql)
        async with self._lock.hold(RunningOperation(f"A restore of {name}", label)):
            reporter = self._reporter(progress, "restore")
            try:
                return await run_restore(
                    backup,
                    database=self.database,
                    redactor=self._redactor,
                    lock_timeout_seconds=self.lock_timeout_seconds,
                    reporter=reporter,
                    maker=self._maker,
                    safety_compression=self.codec,
                    label=label,
                    budget_seconds=self.restore_budget_seconds,
                )
            finally:
                await reporter.close()

    async def delete(self, name: str, *, label: str) -> DeletedBackup:
        """Remove backup ``name`` and its sidecar."""
        backup = await find_backup(self.backup_dir, name, self.seal)
        await self._require_writable_folder()
        async with self._lock.hold(RunningOperation(f"A deletion of {name}", label)):
            return await asyncio.to_thread(_remove, backup)

    async def prune(self, keep: int, *, label: str) -> tuple[str, ...]:
        """Delete the bot's backups beyond the newest ``keep`` and safety backups past their time.

        Never deletes the newest good backup nor one the bot did not make; see retention.py.
        """
        await self._require_writable_folder()
        async with self._lock.hold(RunningOperation("A clean-up of old backups", label)):
            backups = await list_backups(self.backup_dir, self.seal)
            doomed = backups_to_prune(backups, keep, now=datetime.now(UTC))
            for backup in doomed:
                await asyncio.to_thread(_remove, backup)
                log.info("retention removed %s", backup.name)
            return tuple(backup.name for backup in doomed)

    async def apply_retention(self, keep: int, *, label: str) -> RetentionRun:
        """`prune` after a backup that worked: a failure is reported, never raised (the backup stands)."""
        try:
            return RetentionRun(await self.prune(keep, label=label))
        except OpsError as error:
            log.warning("retention after the backup failed: %s", error)
            return RetentionRun(error=str(error))

    async def _require_writable_folder(self) -> None:
        """FolderUnusable (naming BACKUP_DIR) before the lock file or a backup is written there."""
        await asyncio.to_thread(ensure_writable_folder, "BACKUP_DIR", self.backup_dir)

    def _require_database(self) -> None:
        if not self.database.configured:
            raise DatabaseNotConfigured()

    def _reporter(self, callback: ProgressCallback | None, operation: str) -> ProgressReporter:
        return ProgressReporter(callback, operation=operation, interval=self._progress_interval)


def _remove(backup: BackupFile) -> DeletedBackup:
    backup.path.unlink(missing_ok=True)
    sidecar = sidecar_path(backup.path)
    had_sidecar = sidecar.exists()
    sidecar.unlink(missing_ok=True)
    return DeletedBackup(name=backup.name, size=backup.size, sidecar_removed=had_sidecar)
