"""The steps of a restore, in the order that keeps the data safe.

1. Open the backup once (the vetted file, no link followed) and read it whole through that
   descriptor: compressed stream intact and not a bomb, completion marker, sha256 as recorded,
   nothing in it that pg_dump never writes (filter.py, allowlist.py), and rights that fit its
   origin (rights.py). A bad file is refused before the database is touched and before a safety
   backup is spent on it. The replay reads the same descriptor again.
2. Count the main tables' rows.
3. Take a safety backup of the database as it is now (a failure stops here).
4. Replay the dump as one transaction (restore.stream_restore), committed only at the very end.
5. Count the rows again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import BinaryIO

from bot.backups.compression import Compression
from bot.backups.create import BackupMaker
from bot.backups.dump import BackupFailed
from bot.backups.dump_file import BackupCorrupt, DumpCheck
from bot.backups.inventory import KIND_SAFETY, BackupFile, open_backup
from bot.backups.progress import ProgressReporter
from bot.backups.restore.errors import RestoreFailed, RestoreRefused
from bot.backups.restore.events import DumpUnreplayable
from bot.backups.restore.inspect import inspect_dump
from bot.backups.restore.replay import restore_budget, stream_restore
from bot.backups.restore.rights import RestoreRights, restore_rights
from bot.backups.results import BackupResult, RestoreResult, TableRows
from bot.database.connection import Database
from bot.database.table_counts import MAIN_TABLES, count_rows
from bot.errors import OpsError
from bot.redact import Redactor

log = logging.getLogger(__name__)


async def run_restore(
    backup: BackupFile,
    *,
    database: Database,
    redactor: Redactor,
    lock_timeout_seconds: float,
    reporter: ProgressReporter,
    maker: BackupMaker,
    safety_compression: Compression,
    label: str,
    budget_seconds: float | None = None,
) -> RestoreResult:
    """Check, count, back up, restore, count; the caller holds the operation lock.

    ``maker`` takes the safety backup (kind "safety", packed with ``safety_compression``),
    labelled with ``label``.
    ``budget_seconds`` (default: replay.restore_budget of the SQL's size) bounds the replay.
    """
    started_at = datetime.now(UTC)
    started = time.monotonic()
    async with database.connection() as connection:
        rights = await restore_rights(connection)
    with await asyncio.to_thread(open_backup, backup) as file:
        check = await _check(backup, file, rights, reporter)
        before = await count_rows(database)
        safety = await _safety_backup(maker, safety_compression, label, reporter)
        reporter.announce("restoring", 0, check.size)
        outcome = await stream_restore(
            backup.path,
            file,
            expected_sha256=check.sha256,
            made_here=_made_here(backup),
            database=database,
            redactor=redactor,
            lock_timeout_seconds=lock_timeout_seconds,
            progress=lambda done, sql_bytes: reporter.update("restoring", done, check.size, sql_bytes),
            safety_backup=safety.name,
            budget_seconds=budget_seconds or restore_budget(check.sql_bytes),
        )
    after, after_counted = await _count_after(database)
    return RestoreResult(
        name=backup.name,
        made_by_aphrodite=backup.made_by_aphrodite,
        safety_backup=safety,
        tables=tuple(TableRows(table, before.get(table), after.get(table)) for table in MAIN_TABLES),
        started_at=started_at,
        duration_seconds=time.monotonic() - started,
        sql_bytes=outcome.sql_bytes,
        source_database=outcome.source_database,
        skipped_statements=outcome.skipped_statements,
        skipped_count=outcome.skipped_count,
        skipped_extensions=outcome.skipped_extensions,
        after_counted=after_counted,
    )


async def _safety_backup(
    maker: BackupMaker, compression: Compression, label: str, reporter: ProgressReporter
) -> BackupResult:
    try:
        return await maker.create(
            compression=compression,
            kind=KIND_SAFETY,
            label=label,
            reporter=reporter,
            phase="safety backup",
        )
    except BackupFailed as error:
        raise RestoreFailed(f"The safety backup failed, so the restore did not start: {error}") from None


def _made_here(backup: BackupFile) -> bool:
    """Whether a sealed sidecar of this bot vouches for the file (its sha256 is checked to match)."""
    return backup.made_here


async def _check(
    backup: BackupFile, file: BinaryIO, rights: RestoreRights, reporter: ProgressReporter
) -> DumpCheck:
    if not _made_here(backup) and (refusal := rights.refusal(backup.name)):
        raise RestoreRefused(f"{refusal} The database was not touched.", 0, refusal)
    reporter.announce("checking", 0, backup.size)
    loop = asyncio.get_running_loop()

    def on_chunk(done: int) -> None:
        loop.call_soon_threadsafe(reporter.update, "checking", done, backup.size)

    try:
        check, refused = await asyncio.to_thread(
            lambda: inspect_dump(
                backup.path,
                on_chunk,
                file=file,
                foreign_extensions=rights.foreign_extensions,
                installed_extensions=rights.installed_extensions,
            )
        )
    except BackupCorrupt as error:
        raise RestoreFailed(f"{error} The database was not touched.") from None
    if backup.sha256 and backup.sha256 != check.sha256:
        raise RestoreFailed(
            f"{backup.name} does not match the sha256 recorded when it was made: it was changed or "
            "damaged since. The database was not touched."
        )
    if isinstance(refused, DumpUnreplayable):
        raise RestoreRefused(
            f"{backup.name} cannot be replayed: line {refused.line}: {refused.reason}. The file need not "
            "have been altered. The database was not touched.",
            refused.line,
            refused.reason,
        )
    if refused is not None:
        raise RestoreRefused(
            f"{backup.name} was refused: line {refused.line}: {refused.reason}. A dump made by pg_dump "
            "never contains that, so the file was altered or is not a plain dump. The database was not "
            "touched.",
            refused.line,
            refused.reason,
        )
    return check


async def _count_after(database: Database) -> tuple[dict[str, int | None], bool]:
    """The counts after the commit; a failure here must not read as a failed restore."""
    try:
        return await count_rows(database), True
    except OpsError:
        log.warning("the restore committed but the tables could not be counted afterwards", exc_info=True)
        return {}, False
