"""Backups of Aphrodite's database: create, list, find, restore, delete, prune (`/backup`, the CLI).

`BackupService` is the one object adapters talk to. It owns the lock that lets one backup,
restore or deletion run at a time, and returns plain frozen dataclasses. Backup files are plain
SQL from pg_dump, `aphrodite_backup_YYYYMMDD_HHMMSS.sql[.gz]` in BACKUP_DIR, so Aphrodite's web
UI and this bot share one inventory (see inventory.py).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.database.backup_lock import OperationLock, RunningOperation
from bot.database.backup_progress import ProgressCallback, ProgressReporter
from bot.database.backup_results import BackupResult, DeletedBackup, RestoreResult
from bot.database.backup_retention import backups_to_prune
from bot.database.connection import Database, DatabaseNotConfigured
from bot.database.dsn import dsn_secrets
from bot.database.dump import InsufficientSpace, write_dump
from bot.database.inventory import (
    KIND_MANUAL,
    KIND_SAFETY,
    STAMP_FORMAT,
    BackupFile,
    Inventory,
    find_backup,
    list_backups,
    list_inventory,
    scan_backups,
    sidecar_path,
    write_manifest,
)
from bot.database.pg_tools import PgTools
from bot.database.restore_runner import run_restore
from bot.printable import printable
from bot.redact import Redactor
from bot.units import human_bytes

log = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT_SECONDS = 15.0
FreeSpace = Callable[[Path], int]
# How far ahead of the clock a newest backup's stamp may be for a new name to step past it.
_STAMP_CATCH_UP = timedelta(minutes=5)


def disk_free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


class BackupService:
    """Everything `/backup` and `python -m bot backup` do, behind one lock.

    ``free_space`` reports the free bytes of a folder (injectable so a test can simulate a full
    disk). ``lock_timeout_seconds`` is how long a restore waits for other sessions' locks.
    """

    def __init__(
        self,
        database: Database,
        backup_dir: Path,
        *,
        redactor: Redactor | None = None,
        tools: PgTools | None = None,
        free_space: FreeSpace = disk_free_bytes,
        lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
        progress_interval: float = 1.5,
    ) -> None:
        self.database = database
        self.backup_dir = backup_dir
        self.tools = tools or PgTools()
        self.lock_timeout_seconds = lock_timeout_seconds
        self._redactor = redactor or Redactor(dsn_secrets(database.dsn))
        self._free_space = free_space
        self._progress_interval = progress_interval
        self._lock = OperationLock(backup_dir)

    @property
    def running(self) -> RunningOperation | None:
        """The backup, restore or deletion this process is running now, if any."""
        return self._lock.current

    async def list(self) -> list[BackupFile]:
        """Every backup in BACKUP_DIR (ours and Aphrodite's), newest first."""
        return await list_backups(self.backup_dir)

    async def inventory(self) -> Inventory:
        """The backups, and the other entries of BACKUP_DIR with why they are not backups."""
        return await list_inventory(self.backup_dir)

    async def find(self, name: str) -> BackupFile:
        """The backup called ``name`` (for a download); BackupNotFound for anything else."""
        return await find_backup(self.backup_dir, name)

    async def create(
        self,
        *,
        label: str,
        compress: bool = True,
        progress: ProgressCallback | None = None,
        kind: str = KIND_MANUAL,
    ) -> BackupResult:
        """Dump the database into a new verified backup; ``label`` says who asked (for busy messages)."""
        self._require_database()
        summary = f"A backup ({'compressed' if compress else 'uncompressed'})"
        async with self._lock.hold(RunningOperation(summary, label)):
            reporter = self._reporter(progress, "backup")
            try:
                return await self._create_locked(compress=compress, kind=kind, label=label, reporter=reporter)
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
        backup = await find_backup(self.backup_dir, name)
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
                    safety_backup=lambda: self._create_locked(
                        compress=True, kind=KIND_SAFETY, label=label, reporter=reporter, phase="safety backup"
                    ),
                )
            finally:
                await reporter.close()

    async def delete(self, name: str, *, label: str) -> DeletedBackup:
        """Remove backup ``name`` and its sidecar."""
        backup = await find_backup(self.backup_dir, name)
        async with self._lock.hold(RunningOperation(f"A deletion of {name}", label)):
            return await asyncio.to_thread(_remove, backup)

    async def prune(self, keep: int, *, label: str, include_foreign: bool = False) -> tuple[str, ...]:
        """Delete scheduled backups beyond the newest ``keep`` (all kinds with ``include_foreign``).

        Never deletes the newest good backup; see backup_retention.backups_to_prune.
        """
        async with self._lock.hold(RunningOperation("A clean-up of old backups", label)):
            backups = await list_backups(self.backup_dir)
            doomed = backups_to_prune(backups, keep, include_foreign=include_foreign)
            for backup in doomed:
                await asyncio.to_thread(_remove, backup)
                log.info("retention removed %s", backup.name)
            return tuple(backup.name for backup in doomed)

    def _require_database(self) -> None:
        if not self.database.configured:
            raise DatabaseNotConfigured()

    def _reporter(self, callback: ProgressCallback | None, operation: str) -> ProgressReporter:
        return ProgressReporter(callback, operation=operation, interval=self._progress_interval)

    async def _create_locked(
        self, *, compress: bool, kind: str, label: str, reporter: ProgressReporter, phase: str = "dumping"
    ) -> BackupResult:
        self.tools.locate("pg_dump")
        await asyncio.to_thread(_prepare_folder, self.backup_dir)
        await self._require_free_space(compress)
        created_at, final = await asyncio.to_thread(_new_backup_name, self.backup_dir, compress)
        reporter.announce(phase)
        outcome = await write_dump(
            final,
            compress=compress,
            parts=self.database.parts,
            tools=self.tools,
            redactor=self._redactor,
            progress=reporter,
            phase=phase,
        )
        result = BackupResult(
            name=final.name,
            path=final,
            size=outcome.size,
            sha256=outcome.sha256,
            compressed=compress,
            created_at=created_at,
            duration_seconds=outcome.duration_seconds,
            sql_bytes=outcome.sql_bytes,
            server_version=outcome.server_version,
            kind=kind,
            label=label,
        )
        await self._write_sidecar(result, outcome.pg_dump_version)
        return result

    async def _require_free_space(self, compress: bool) -> None:
        backups = await list_backups(self.backup_dir)
        same_kind = [backup for backup in backups if backup.compressed == compress]
        last = (same_kind or backups or [None])[0]
        if last is None:
            return
        needed = 2 * last.size
        free = await asyncio.to_thread(self._free_space, self.backup_dir)
        if free < needed:
            raise InsufficientSpace(
                f"Not enough free disk space in {self.backup_dir}: {human_bytes(free)} free, but the last "
                f"backup ({last.name}) was {human_bytes(last.size)}, so a new one needs at least "
                f"{human_bytes(needed)} (twice that). Delete old backups or free some space."
            )

    async def _write_sidecar(self, result: BackupResult, pg_dump_version: str | None) -> None:
        manifest = {
            "name": result.name,
            "size": result.size,
            "sha256": result.sha256,
            "compressed": result.compressed,
            "created_at": result.created_at.isoformat(),
            "duration_seconds": round(result.duration_seconds, 3),
            "sql_bytes": result.sql_bytes,
            "server_version": result.server_version,
            "pg_dump_version": pg_dump_version,
            "database": self.database.parts.database,
            "kind": result.kind,
            "label": result.label,
            "verified": True,
            "made_by": "aphrodite-ops",
        }
        try:
            await asyncio.to_thread(write_manifest, result.path, manifest)
        except OSError:
            # The backup itself is complete and verified; without its sidecar it merely lists as
            # unverified, so this is logged rather than thrown away with the backup.
            log.warning("could not write the sidecar of %s", result.name, exc_info=True)


def _prepare_folder(folder: Path) -> None:
    """Create the folder; remove temporary files that a killed process left (we hold the lock)."""
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".aphrodite*.partial"):
        if leftover.is_dir() and not leftover.is_symlink():
            log.warning("leaving %s alone: a directory, not a file of ours", printable(leftover.name))
            continue
        log.warning("removing %s, left by an interrupted backup", printable(leftover.name))
        leftover.unlink(missing_ok=True)


def _new_backup_name(folder: Path, compress: bool) -> tuple[datetime, Path]:
    """A free name stamped now (UTC) that sorts after every backup made moments ago.

    Names have one-second resolution: two backups within a second (or one made right after a
    deletion) step past the newest stamp, so the newest backup is always the last one made.
    """
    moment = datetime.now(UTC).replace(microsecond=0)
    newest = max((backup.created_at for backup in scan_backups(folder)), default=None)
    if newest is not None and moment <= newest < moment + _STAMP_CATCH_UP:
        moment = newest + timedelta(seconds=1)
    suffix = ".sql.gz" if compress else ".sql"
    while True:
        path = folder / f"aphrodite_backup_{moment.strftime(STAMP_FORMAT)}{suffix}"
        if not path.exists():
            return moment, path
        moment += timedelta(seconds=1)


def _remove(backup: BackupFile) -> DeletedBackup:
    backup.path.unlink(missing_ok=True)
    sidecar = sidecar_path(backup.path)
    had_sidecar = sidecar.exists()
    sidecar.unlink(missing_ok=True)
    return DeletedBackup(name=backup.name, size=backup.size, sidecar_removed=had_sidecar)
