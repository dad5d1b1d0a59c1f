"""The one place a drill's result is written into its backup's sidecar (under "drill")."""

from __future__ import annotations

import asyncio
import logging

from bot.backups.inventory import BackupFile, read_manifest, write_manifest
from bot.drills.result import DrillResult
from bot.printable import printable

log = logging.getLogger(__name__)

DRILL_KEY = "drill"


async def keep_drill_result(backup: BackupFile, result: DrillResult) -> bool:
    """Set the sidecar's "drill" to ``result``; False when the backup has no sidecar (Aphrodite's own).

    The sidecar is read again first, so whatever was written since the inventory was read stays.
    The caller holds the operation lock, so no other writer runs meanwhile.
    """

    def write() -> bool:
        manifest = read_manifest(backup.path)
        if manifest is None:
            return False
        manifest[DRILL_KEY] = result.sidecar_record()
        write_manifest(backup.path, manifest)
        return True

    try:
        return await asyncio.to_thread(write)
    except OSError:
        log.warning(
            "could not keep the drill result in the sidecar of %s", printable(backup.name), exc_info=True
        )
        return False
