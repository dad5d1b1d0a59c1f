"""The one place a drill's result is written into its backup's sidecar (under "drill")."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.backups.inventory import BackupFile, read_manifest, write_manifest
from bot.backups.sidecar_seal import SidecarSeal
from bot.drills.result import DrillResult
from bot.printable import printable

log = logging.getLogger(__name__)

DRILL_KEY = "drill"


@dataclass(frozen=True)
class KeptDrill:
    """The drill result a sidecar holds, as `/backup list` shows it."""

    at: datetime
    ok: bool
    duration_seconds: float
    first_finding: str | None


def kept_drill(manifest: dict[str, object] | None) -> KeptDrill | None:
    """The sidecar's "drill", checked like any input from disk; None when absent or unreadable."""
    record = manifest.get(DRILL_KEY) if manifest else None
    if not isinstance(record, dict):
        return None
    at, ok, duration = record.get("at"), record.get("ok"), record.get("duration_seconds")
    findings = record.get("findings")
    if not (isinstance(at, str) and isinstance(ok, bool) and isinstance(duration, int | float)):
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    if not math.isfinite(duration) or duration < 0:
        return None
    first = findings[0] if isinstance(findings, list) and findings and isinstance(findings[0], str) else None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return KeptDrill(moment, ok, float(duration), first)


async def keep_drill_result(backup: BackupFile, result: DrillResult, seal: SidecarSeal) -> bool:
    """Set the sidecar's "drill" to ``result``, sealed anew; False when the backup has no sidecar the
    seal verifies (Aphrodite's own, or one of unknown origin: never vouched for by a rewrite).

    The sidecar is read again first, so whatever was written since the inventory was read stays.
    The caller holds the operation lock, so no other writer runs meanwhile.
    """

    def write() -> bool:
        manifest, _ = read_manifest(backup.path, seal)
        if manifest is None:
            return False
        manifest[DRILL_KEY] = result.sidecar_record()
        write_manifest(backup.path, manifest, seal)
        return True

    try:
        return await asyncio.to_thread(write)
    except OSError:
        log.warning(
            "could not keep the drill result in the sidecar of %s", printable(backup.name), exc_info=True
        )
        return False
