"""The sidecar's `offsite` entry: the one place this package writes a sidecar."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.backups.inventory import BackupFile, write_manifest
from bot.backups.sidecar_seal import SidecarSeal

SIDECAR_KEY = "offsite"


async def write_sidecar(path: Path, manifest: dict[str, object], seal: SidecarSeal) -> None:
    """Write (and seal) the sidecar of the backup at ``path``; every sidecar write of off-site copies
    comes here."""
    await asyncio.to_thread(write_manifest, path, manifest, seal)


async def record_copy(
    backup: BackupFile,
    seal: SidecarSeal,
    *,
    url: str,
    key: str,
    size: int,
    encrypted: bool,
    uploaded_at: datetime,
) -> bool:
    """Add the verified copy to the backup's sidecar; False for a backup without one (Aphrodite's)."""
    if backup.manifest is None:
        return False  # a sidecar would make Aphrodite's backup look like one of ours
    entry = {
        "url": url,
        "key": key,
        "size": size,
        "encrypted": encrypted,
        "verified": True,
        "uploaded_at": uploaded_at.isoformat(),
    }
    await write_sidecar(backup.path, {**backup.manifest, SIDECAR_KEY: entry}, seal)
    return True


def recorded_copy(backup: BackupFile) -> dict[str, object] | None:
    """The sidecar's `offsite` entry when it records a verified copy."""
    entry = backup.manifest.get(SIDECAR_KEY) if backup.manifest else None
    return entry if isinstance(entry, dict) and entry.get("verified") is True else None
