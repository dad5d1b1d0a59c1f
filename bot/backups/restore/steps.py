"""The steps of a restore, in the order that keeps the data safe.

1. Read the whole backup first, once: compressed stream intact, completion marker, sha256 as
   recorded, and nothing in it that pg_dump never writes (filter.py). A bad file is refused
   before the database is touched and before a safety backup is spent on it.
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

from bot.backups.compression import Compression
from bot.backups.create import BackupMaker
from bot.backups.dump import BackupFailed
from bot.backups.dump_file import BackupCorrupt, DumpCheck
from bot.backups.inventory import KIND_SAFETY, BackupFile
from bot.backups.progress import ProgressReporter
from bot.backups.restore.errors import RestoreFailed, RestoreRefused
from bot.backups.restore.events import DumpUnreplayable
from bot.backups.restore.filter import inspect_dump
from bot.backups.restore.replay import stream_restore
from bot.backups.results import RestoreResult, TableRows
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
) -> RestoreResult:
    """Check, count, back up, restore, count; the caller holds the operation lock.

    ``maker`` takes the safety backup (kind "safety", packed with ``safety_compression``),
    labelled with ``label``.
    """
    started_at = datetime.now(UTC)
    started = time.monotonic()
    check = await _check(backup, reporter)
    before = await count_rows(database)
    try:
        safety = await maker.create(
            compression=safety_compression,
            kind=KIND_SAFETY,
            label=label,
            reporter=reporter,
            phase="safety backup",
        )
    except BackupFailed as error:
        raise RestoreFailed(f"The safety backup failed, so the restore did not start: {error}") from None
    reporter.announce("restoring", 0, check.size)
    outcome = await stream_restore(
        backup.path,
        expected_sha256=check.sha256,
        database=database,
        redactor=redactor,
        lock_timeout_seconds=lock_timeout_seconds,
        progress=lambda done, sql_bytes: reporter.update("restoring", done, check.size, sql_bytes),
        safety_backup=safety.name,
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


async def _check(backup: BackupFile, reporter: ProgressReporter) -> DumpCheck:
    reporter.announce("checking", 0, backup.size)
    loop = asyncio.get_running_loop()

    def on_chunk(done: int) -> None:
        loop.call_soon_threadsafe(reporter.update, "checking", done, backup.size)

    try:
        check, refused = await asyncio.to_thread(inspect_dump, backup.path, on_chunk)
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
