"""Making one verified backup: a free name, room on the disk, the dump, its sidecar.

`BackupMaker` is the step shared by `/backup create`, the schedule and the safety backup that a
restore takes first. The caller holds the operation lock (backups.lock).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.backups.compression import Compression
from bot.backups.dump import InsufficientSpace, write_dump
from bot.backups.dump_snapshot import exported_snapshot
from bot.backups.inventory import STAMP_FORMAT, list_backups, scan_backups, write_manifest
from bot.backups.pg_tools import PgTools
from bot.backups.progress import ProgressReporter
from bot.backups.results import BackupResult
from bot.backups.sidecar_seal import SidecarSeal
from bot.database.connection import Database
from bot.printable import printable
from bot.redact import Redactor
from bot.units import human_bytes

log = logging.getLogger(__name__)

FreeSpace = Callable[[Path], int]
BackupObserver = Callable[[BackupResult], None]
# How far ahead of the clock a newest backup's stamp may be for a new name to step past it.
_STAMP_CATCH_UP = timedelta(minutes=5)


def disk_free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


@dataclass(frozen=True)
class BackupMaker:
    """Dumps ``database`` into new verified backups in ``backup_dir``.

    ``seal`` signs each sidecar. ``free_space`` reports the free bytes of a folder (injectable so a
    test can simulate a full disk). ``on_created`` hears of each backup once it is complete and
    verified (the bot's metrics).
    """

    database: Database
    backup_dir: Path
    tools: PgTools
    redactor: Redactor
    seal: SidecarSeal
    free_space: FreeSpace = disk_free_bytes
    on_created: BackupObserver | None = None

    async def create(
        self,
        *,
        compression: Compression,
        kind: str,
        label: str,
        reporter: ProgressReporter,
        phase: str = "dumping",
    ) -> BackupResult:
        """A new backup at its final name, verified, with its sidecar; BackupFailed otherwise."""
        self.tools.locate("pg_dump")
        await asyncio.to_thread(self.seal.ready)  # SidecarKeyError before anything is written
        await asyncio.to_thread(_prepare_folder, self.backup_dir)
        await self._require_free_space(compression)
        created_at, final = await asyncio.to_thread(_new_backup_name, self.backup_dir, compression)
        reporter.announce(phase)
        async with exported_snapshot(self.database) as snapshot:
            outcome = await write_dump(
                final,
                compression=compression,
                parts=self.database.parts,
                tools=self.tools,
                redactor=self.redactor,
                progress=reporter,
                phase=phase,
                snapshot=snapshot.snapshot_id if snapshot else None,
            )
            row_counts = await snapshot.row_counts() if snapshot else None
        result = BackupResult(
            name=final.name,
            path=final,
            size=outcome.size,
            sha256=outcome.sha256,
            compression=compression,
            created_at=created_at,
            duration_seconds=outcome.duration_seconds,
            sql_bytes=outcome.sql_bytes,
            server_version=outcome.server_version,
            kind=kind,
            label=label,
        )
        await self._write_sidecar(result, outcome.pg_dump_version, row_counts)
        if self.on_created is not None:
            self.on_created(result)
        return result

    async def _require_free_space(self, compression: Compression) -> None:
        backups = await list_backups(self.backup_dir)
        same_kind = [backup for backup in backups if backup.compression is compression]
        if not (same_kind or backups):
            return
        last = (same_kind or backups)[0]
        needed = 2 * last.size
        free = await asyncio.to_thread(self.free_space, self.backup_dir)
        if free < needed:
            raise InsufficientSpace(
                f"Not enough free disk space in {self.backup_dir}: {human_bytes(free)} free, but the last "
                f"backup ({last.name}) was {human_bytes(last.size)}, so a new one needs at least "
                f"{human_bytes(needed)} (twice that). Delete old backups or free some space."
            )

    async def _write_sidecar(
        self, result: BackupResult, pg_dump_version: str | None, row_counts: dict[str, int] | None
    ) -> None:
        manifest: dict[str, object] = {
            "name": result.name,
            "size": result.size,
            "sha256": result.sha256,
            "compressed": result.compressed,
            "compression": result.compression.value,
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
        if row_counts is not None:  # counted in the dump's own snapshot (dump_snapshot.py)
            manifest["row_counts"] = row_counts
        try:
            await asyncio.to_thread(write_manifest, result.path, manifest, self.seal)
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


def _new_backup_name(folder: Path, compression: Compression) -> tuple[datetime, Path]:
    """A free name stamped now (UTC) that sorts after every backup made moments ago.

    Names have one-second resolution: two backups within a second (or one made right after a
    deletion) step past the newest stamp, so the newest backup is always the last one made.
    """
    moment = datetime.now(UTC).replace(microsecond=0)
    newest = max((backup.created_at for backup in scan_backups(folder)), default=None)
    if newest is not None and moment <= newest < moment + _STAMP_CATCH_UP:
        moment = newest + timedelta(seconds=1)
    while True:
        path = folder / f"aphrodite_backup_{moment.strftime(STAMP_FORMAT)}{compression.suffix}"
        if not path.exists():
            return moment, path
        moment += timedelta(seconds=1)
