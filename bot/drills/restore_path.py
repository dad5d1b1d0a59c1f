"""The one place a drill calls the restore path: vetting (inspect_dump) and replay (stream_restore).

A drill restores exactly as `/backup restore` does, through the same vetting and the same
all-or-nothing replay, only into a scratch database and without a safety backup (nothing live
is replaced). Kept in one module so that a change of the restore path's signatures is adapted
here once.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path

from bot.backups.dump_file import BackupCorrupt, DumpCheck
from bot.backups.restore.events import DumpUnreplayable
from bot.backups.restore.inspect import inspect_dump
from bot.backups.restore.replay import StreamOutcome, restore_budget, stream_restore
from bot.backups.restore.rights import RestoreRights
from bot.backups.vetting import NotABackupFile, open_vetted
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


# What the server, or the restore's allow-list, says of an extension the drill role may not create.
_EXTENSION_REFUSALS = ("permission denied to create extension", "is not installed in this database")


class DrillRefused(OpsError):
    """The backup failed vetting or replay: the drill fails with this reason."""


@dataclass(frozen=True)
class VettedDump:
    """A dump read whole once: its proofs, and the open descriptor the replay reads again."""

    check: DumpCheck
    file: io.BufferedReader
    made_here: bool


async def vet_dump(
    path: Path,
    identity: tuple[int, int] | None,
    name: str,
    expected_sha256: str | None,
    *,
    made_here: bool,
    rights: RestoreRights,
) -> VettedDump:
    """Open the vetted file once and read it whole, as a restore does first; DrillRefused for what a
    restore refuses (a file of unknown origin with more than an owner's rights included).

    The caller closes ``VettedDump.file``.
    """
    if not made_here and (refusal := rights.refusal(name)):
        raise DrillRefused(refusal)
    if identity is None:
        raise DrillRefused(f"{name} was not checked, so it is not opened")
    try:
        file = await asyncio.to_thread(open_vetted, path, identity)
    except NotABackupFile as refused:
        raise DrillRefused(f"{name} {refused.reason}") from None
    try:
        check = await _inspected(path, file, name, expected_sha256, rights)
    except BaseException:
        file.close()
        raise
    return VettedDump(check, file, made_here)


async def _inspected(
    path: Path, file: io.BufferedReader, name: str, expected_sha256: str | None, rights: RestoreRights
) -> DumpCheck:
    try:
        check, refused = await asyncio.to_thread(
            lambda: inspect_dump(
                path,
                file=file,
                foreign_extensions=rights.foreign_extensions,
                installed_extensions=rights.installed_extensions,
            )
        )
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


async def replay_into(path: Path, vetted: VettedDump, scratch: Database, redactor: Redactor) -> StreamOutcome:
    """Replay the vetted dump into ``scratch`` from the same descriptor; DrillRefused with the reason."""
    try:
        return await stream_restore(
            path,
            vetted.file,
            expected_sha256=vetted.check.sha256,
            made_here=vetted.made_here,
            database=scratch,
            redactor=redactor,
            lock_timeout_seconds=LOCK_TIMEOUT_SECONDS,
            progress=lambda _file_bytes, _sql_bytes: None,
            budget_seconds=restore_budget(vetted.check.sql_bytes),
        )
    except OpsError as error:  # RestoreFailed and RestoreNotRolledBack alike: the copy is dropped anyway
        hint = _EXTENSION_HINT if any(words in str(error) for words in _EXTENSION_REFUSALS) else ""
        raise DrillRefused(f"the restore failed: {error}{hint}") from None
