"""What backup operations return: plain data for the Discord embeds and the terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.backups.compression import Compression


@dataclass(frozen=True)
class BackupResult:
    """A new backup, complete and verified. ``kind``: 'manual', 'scheduled' or 'safety'."""

    name: str
    path: Path
    size: int
    sha256: str
    compression: Compression
    created_at: datetime
    duration_seconds: float
    sql_bytes: int
    server_version: str | None
    kind: str
    label: str

    @property
    def compressed(self) -> bool:
        return self.compression is not Compression.NONE


@dataclass(frozen=True)
class DeletedBackup:
    name: str
    size: int
    sidecar_removed: bool


@dataclass(frozen=True)
class TableRows:
    """Rows of one main table before and after a restore; None when the table did not exist."""

    table: str
    before: int | None
    after: int | None


@dataclass(frozen=True)
class RestoreResult:
    """A committed restore.

    ``source_database`` is the database an Aphrodite-made (`--create`) dump was taken from;
    ``skipped_statements`` are the first of its database-level statements (DROP/CREATE/ALTER
    DATABASE, `\\connect`, database grants) and statements about extensions the restoring role does
    not own (``skipped_extensions`` names those) that were not replayed, ``skipped_count`` all of them.
    ``after_counted`` is False when the database could not be counted after the commit (the restore
    itself still happened).
    """

    name: str
    made_by_aphrodite: bool
    safety_backup: BackupResult
    tables: tuple[TableRows, ...]
    started_at: datetime
    duration_seconds: float
    sql_bytes: int
    source_database: str | None
    skipped_statements: tuple[str, ...]
    skipped_count: int
    skipped_extensions: tuple[str, ...] = ()
    after_counted: bool = True
