"""The one place a drill calls the restore path: vetting (inspect_dump) and replay (stream_restore).

A drill restores exactly as `/backup restore` does, through the same vetting and the same
all-or-nothing replay, only into a scratch database and without a safety backup (nothing live
is replaced). Kept in one module so that a change of the restore path's signatures is adapted
here once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.backups.dump_file import BackupCorrupt, DumpCheck
from bot.backups.restore.events import DumpUnreplayable
from bot.backups.restore.filter import inspect_dump
from bot.backups.restore.replay import StreamOutcome, stream_restore
from bot.database.connection import Database
from bot.errors import OpsError
from bot.redact import Redactor

# The scratch database has no other sessions; this only bounds a surprise.
LOCK_TIMEOUT_SECONDS = 15.0
# The live database has an extension a superuser installed; the scratch copy does not, and the drill
# role may not create it. Made in template1, every scratch copy has it (and the replay skips it).
_EXTENSION_HINT = (
    " (the backup needs an extension the drill role may not create: a superuser can run CREATE "
    "EXTENSION for it in template1, which every scratch database is made from)"
)


class DrillRefused(OpsError):
    """The backup failed vetting or replay: the drill fails with this reason."""


async def vet_dump(path: Path, name: str, expected_sha256: str | None) -> DumpCheck:
    """Read the whole dump once, as a restore does first; DrillRefused for what a restore refuses."""
    try:
        check, refused = await asyncio.to_thread(inspect_dump, path)
    except BackupCorrupt as error:
        raise DrillRefused(str(error)) from None
    if expected_sha256 and expected_sha256 != check.sha256:
        raise DrillRefused(
            f"{name} does not match the sha256 recorded when it was made: changed or damaged since"
        )
    if isinstance(refused, DumpUnreplayable):
        raise DrillRefused(f"{name} cannot be replayed: line {refused.line}: {refused.reason}")
    if refused is not None:
        raise DrillRefused(
            f"{name} was refused: line {refused.line}: {refused.reason} (pg_dump never writes that)"
        )
    return check


async def replay_into(path: Path, check: DumpCheck, scratch: Database, redactor: Redactor) -> StreamOutcome:
    """Replay the vetted dump into ``scratch``; DrillRefused with the restore's own reason."""
    try:
        return await stream_restore(
            path,
            expected_sha256=check.sha256,
            database=scratch,
            redactor=redactor,
            lock_timeout_seconds=LOCK_TIMEOUT_SECONDS,
            progress=lambda _file_bytes, _sql_bytes: None,
        )
    except OpsError as error:  # RestoreFailed and RestoreNotRolledBack alike: the copy is dropped anyway
        hint = _EXTENSION_HINT if "permission denied to create extension" in str(error) else ""
        raise DrillRefused(f"the restore failed: {error}{hint}") from None
