"""The backup files in BACKUP_DIR, ours and Aphrodite's, as one inventory."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.backups.compression import Compression
from bot.backups.vetting import (
    NotABackupFile,
    VettedFile,
    open_vetted,
    read_small_file,
    trusted_owners,
    vet,
)
from bot.errors import OpsError

# aphrodite_backup_20250606_185246.sql[.gz] (ours and Aphrodite's web UI), .sql.zst (ours only),
# and the older aphrodite_v2_backup_20250101_120000.sql[.gz] names of earlier Aphrodite releases.
# \Z, not $: `$` also matches before a final newline, and a planted name may end with one.
BACKUP_NAME = re.compile(
    r"(?P<prefix>aphrodite_backup|aphrodite_v2_backup)_(?P<stamp>\d{8}_\d{6})\.sql(?:\.gz|\.zst)?\Z"
)
NAME_FORMAT = "aphrodite_backup_YYYYMMDD_HHMMSS.sql[.gz|.zst]"
_MANIFEST_LIMIT = 64 * 1024
STAMP_FORMAT = "%Y%m%d_%H%M%S"
# What made a backup, as its sidecar's "kind" records it; Aphrodite's have no sidecar.
KIND_MANUAL = "manual"
KIND_SCHEDULED = "scheduled"
KIND_SAFETY = "safety"
KIND_APHRODITE = "aphrodite"


class BackupNotFound(OpsError):
    """A name that is not a backup in the inventory (or is a path, which names never are)."""

    exit_code = 3
    command_hint = "backup list"


@dataclass(frozen=True)
class BackupFile:
    """One backup on disk; ``manifest`` is its sidecar `<name>.json` when there is one.

    ``created_at`` comes from the name (what Aphrodite shows too); ``modified_at`` is when the
    file was last written, which a planted or mis-stamped name cannot move into the future.
    ``identity`` (device, inode) is the file that was vetted, for opening exactly that one.
    ``compression`` is what the file's first bytes are, whatever its name says.
    """

    name: str
    path: Path
    size: int
    created_at: datetime
    compression: Compression
    manifest: dict[str, object] | None
    modified_at: datetime | None = None
    identity: tuple[int, int] | None = None

    @property
    def compressed(self) -> bool:
        return self.compression is not Compression.NONE

    @property
    def aphrodite_can_restore(self) -> bool:
        """Whether Aphrodite's own web UI can restore it: plain SQL or gzip under a name it lists."""
        return self.compression.aphrodite_can_restore and not self.name.endswith(".zst")

    @property
    def verified(self) -> bool:
        """True when our sidecar records a completed, verified dump with this size."""
        return bool(
            self.manifest and self.manifest.get("verified") and self.manifest.get("size") == self.size
        )

    @property
    def sha256(self) -> str | None:
        sha256 = self.manifest.get("sha256") if self.manifest else None
        return sha256 if isinstance(sha256, str) else None

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


def _created_at(match: re.Match[str], modified_at: datetime) -> datetime:
    try:
        return datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:  # a stamp such as 20251399_000000
        return modified_at


def sidecar_path(path: Path) -> Path:
    """Where the manifest of the backup at ``path`` lives: `<name>.json` beside it."""
    return path.with_name(path.name + ".json")


def read_manifest(path: Path) -> dict[str, object] | None:
    """The sidecar of the backup at ``path`` as a JSON object; None when absent or unreadable (blocking)."""
    data = read_small_file(sidecar_path(path), _MANIFEST_LIMIT)
    try:
        manifest = json.loads(data) if data is not None else None
    except ValueError:
        return None
    return manifest if isinstance(manifest, dict) else None


def write_manifest(path: Path, manifest: dict[str, object]) -> None:
    """Write the sidecar of the backup at ``path`` atomically and durably (blocking)."""
    sidecar = sidecar_path(path)
    temporary = sidecar.with_name(f".{sidecar.name}.partial")
    with open(temporary, "w") as file:
        json.dump(manifest, file, indent=2, sort_keys=True)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, sidecar)


@dataclass(frozen=True)
class NotABackup:
    """An entry of BACKUP_DIR that is not listed as a backup; ``name`` is as on disk (untrusted)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Inventory:
    """The backups in a folder, newest first, and the other entries there with why they are not backups."""

    backups: list[BackupFile]
    not_backups: list[NotABackup]


def scan_inventory(backup_dir: Path) -> Inventory:
    """Vet every entry of ``backup_dir`` (blocking); an absent folder is an empty inventory.

    Hidden entries (the lock, temporary files) and the sidecars of listed backups are not reported.
    """
    try:
        entries = list(backup_dir.iterdir())
        owners = trusted_owners(backup_dir)
    except FileNotFoundError:
        return Inventory([], [])
    backups: list[BackupFile] = []
    rejected: dict[str, str] = {}
    for path in entries:
        if path.name.startswith("."):
            continue
        match = BACKUP_NAME.fullmatch(path.name)
        if not match:
            rejected[path.name] = f"is not named like a backup ({NAME_FORMAT})"
            continue
        try:
            backups.append(_backup_file(path, match, vet(path, owners)))
        except NotABackupFile as refused:
            rejected[path.name] = refused.reason
        except FileNotFoundError:  # deleted while we looked (Aphrodite's UI, a retention run)
            continue
    for backup in backups:
        rejected.pop(sidecar_path(backup.path).name, None)
    return Inventory(
        backups=sorted(backups, key=lambda backup: (backup.created_at, backup.name), reverse=True),
        not_backups=[NotABackup(name, reason) for name, reason in sorted(rejected.items())],
    )


def _backup_file(path: Path, match: re.Match[str], vetted: VettedFile) -> BackupFile:
    return BackupFile(
        name=path.name,
        path=path,
        size=vetted.size,
        created_at=_created_at(match, vetted.modified_at),
        compression=vetted.compression,
        manifest=read_manifest(path),
        modified_at=vetted.modified_at,
        identity=vetted.identity,
    )


def scan_backups(backup_dir: Path) -> list[BackupFile]:
    """Every backup file in ``backup_dir``, newest first (blocking)."""
    return scan_inventory(backup_dir).backups


async def list_inventory(backup_dir: Path) -> Inventory:
    """`scan_inventory` off the event loop."""
    return await asyncio.to_thread(scan_inventory, backup_dir)


async def list_backups(backup_dir: Path) -> list[BackupFile]:
    """`scan_backups` off the event loop."""
    return await asyncio.to_thread(scan_backups, backup_dir)


async def find_backup(backup_dir: Path, name: str) -> BackupFile:
    """The backup called exactly ``name``; anything that is not an inventory name is refused."""
    if not BACKUP_NAME.fullmatch(name):
        raise BackupNotFound(f"{name[:80]!r} is not a backup name (expected {NAME_FORMAT}).")
    inventory = await list_inventory(backup_dir)
    for backup in inventory.backups:
        if backup.name == name:
            return backup
    for entry in inventory.not_backups:
        if entry.name == name:
            raise BackupNotFound(f"{name} in {backup_dir} is not a backup: it {entry.reason}.")
    raise BackupNotFound(f"No backup named {name!r} in {backup_dir}.")


def open_backup(backup: BackupFile) -> io.BufferedReader:
    """Open the file that was vetted as ``backup`` (blocking); BackupNotFound if it changed since."""
    if backup.identity is None:
        raise BackupNotFound(f"{backup.name} was not checked, so it is not opened.")
    try:
        return open_vetted(backup.path, backup.identity)
    except NotABackupFile as refused:
        raise BackupNotFound(f"{backup.name} {refused.reason}.") from None
