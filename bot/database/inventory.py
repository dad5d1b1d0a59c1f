"""The backup files in BACKUP_DIR, ours and Aphrodite's, as one inventory."""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import OpsError

# aphrodite_backup_20250606_185246.sql[.gz] (ours and Aphrodite's web UI) and the older
# aphrodite_v2_backup_20250101_120000.sql[.gz] names of earlier Aphrodite releases.
BACKUP_NAME = re.compile(
    r"^(?P<prefix>aphrodite_backup|aphrodite_v2_backup)_(?P<stamp>\d{8}_\d{6})\.sql(?P<gz>\.gz)?$"
)
STAMP_FORMAT = "%Y%m%d_%H%M%S"
# What made a backup, as its sidecar's "kind" records it; Aphrodite's have no sidecar.
KIND_MANUAL = "manual"
KIND_SCHEDULED = "scheduled"
KIND_SAFETY = "safety"
KIND_APHRODITE = "aphrodite"


class BackupNotFound(OpsError):
    """A name that is not a backup in the inventory (or is a path, which names never are)."""

    exit_code = 3


@dataclass(frozen=True)
class BackupFile:
    """One backup on disk; ``manifest`` is its sidecar `<name>.json` when there is one."""

    name: str
    path: Path
    size: int
    created_at: datetime
    compressed: bool
    manifest: dict | None

    @property
    def verified(self) -> bool:
        """True when our sidecar records a completed, verified dump with this size."""
        return bool(
            self.manifest and self.manifest.get("verified") and self.manifest.get("size") == self.size
        )

    @property
    def sha256(self) -> str | None:
        return self.manifest.get("sha256") if self.manifest else None

    @property
    def made_by_aphrodite(self) -> bool:
        """Made by Aphrodite's web UI (no sidecar of ours), not by this bot."""
        return self.manifest is None

    @property
    def kind(self) -> str:
        """'manual', 'scheduled' or 'safety' (before a restore) for ours; 'aphrodite' for the web UI's."""
        if self.manifest is None:
            return KIND_APHRODITE
        return str(self.manifest.get("kind") or KIND_MANUAL)


def _created_at(match: re.Match[str], path: Path) -> datetime:
    try:
        return datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def sidecar_path(path: Path) -> Path:
    """Where the manifest of the backup at ``path`` lives: `<name>.json` beside it."""
    return path.with_name(path.name + ".json")


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads(sidecar_path(path).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def write_manifest(path: Path, manifest: dict) -> None:
    """Write the sidecar of the backup at ``path`` atomically and durably (blocking)."""
    sidecar = sidecar_path(path)
    temporary = sidecar.with_name(f".{sidecar.name}.partial")
    with open(temporary, "w") as file:
        json.dump(manifest, file, indent=2, sort_keys=True)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, sidecar)


def scan_backups(backup_dir: Path) -> list[BackupFile]:
    """Every backup file in ``backup_dir``, newest first; an absent folder is an empty list."""
    try:
        entries = list(backup_dir.iterdir())
    except FileNotFoundError:
        return []
    backups = []
    for path in entries:
        match = BACKUP_NAME.match(path.name)
        # A symlink could point anywhere (a download would then send that file): never a backup.
        if not match or path.is_symlink() or not path.is_file():
            continue
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # deleted while we looked (Aphrodite's UI, a retention run)
            continue
        backups.append(
            BackupFile(
                name=path.name,
                path=path,
                size=size,
                created_at=_created_at(match, path),
                compressed=bool(match["gz"]),
                manifest=_read_manifest(path),
            )
        )
    return sorted(backups, key=lambda backup: (backup.created_at, backup.name), reverse=True)


async def list_backups(backup_dir: Path) -> list[BackupFile]:
    """`scan_backups` off the event loop."""
    return await asyncio.to_thread(scan_backups, backup_dir)


async def find_backup(backup_dir: Path, name: str) -> BackupFile:
    """The backup called exactly ``name``; anything that is not an inventory name is refused."""
    if not BACKUP_NAME.match(name):
        raise BackupNotFound(
            f"{name[:80]!r} is not a backup name (expected aphrodite_backup_YYYYMMDD_HHMMSS.sql[.gz]); "
            "use /backup list to see the backups."
        )
    for backup in await list_backups(backup_dir):
        if backup.name == name:
            return backup
    raise BackupNotFound(f"No backup named {name!r} in {backup_dir}; use /backup list to see the backups.")
