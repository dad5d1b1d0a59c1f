"""The backup files in BACKUP_DIR, ours and Aphrodite's, as one inventory."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from bot.backups.compression import Compression
from bot.backups.sidecar_seal import SidecarSeal
from bot.backups.vetting import (
    NotABackupFile,
    VettedFile,
    open_vetted,
    read_small_file,
    trusted_owners,
    vet,
)
from bot.errors import OpsError
from bot.folders import unreadable_folder

# aphrodite_backup_20250606_185246.sql[.gz] (ours and Aphrodite's web UI), .sql.zst (ours only),
# and the older aphrodite_v2_backup_20250101_120000.sql[.gz] names of earlier Aphrodite releases.
# \Z, not $: `$` also matches before a final newline, and a planted name may end with one.
BACKUP_NAME = re.compile(
    r"(?P<prefix>aphrodite_backup|aphrodite_v2_backup)_(?P<stamp>\d{8}_\d{6})\.sql(?:\.gz|\.zst)?\Z"
)
NAME_FORMAT = "aphrodite_backup_YYYYMMDD_HHMMSS.sql[.gz|.zst]"
_MANIFEST_LIMIT = 64 * 1024
STAMP_FORMAT = "%Y%m%d_%H%M%S"
# What made a backup, as its sealed sidecar's "kind" records it; "unknown" without one.
KIND_MANUAL = "manual"
KIND_SCHEDULED = "scheduled"
KIND_SAFETY = "safety"
KIND_UNKNOWN = "unknown"
NO_SIDECAR_ORIGIN = "unknown origin (no sidecar from this bot: Aphrodite's own or copied in)"
UNSEALED_ORIGIN = "unknown origin (its sidecar is not sealed by this bot: copied in, edited or older)"


class Sidecar(Enum):
    """What lies beside a backup: nothing, a sidecar this bot's key does not verify, or a sealed one."""

    NONE = "none"
    UNSEALED = "unsealed"
    SEALED = "sealed"


class BackupNotFound(OpsError):
    """A name that is not a backup in the inventory (or is a path, which names never are)."""

    exit_code = 3
    command_hint = "backup list"


@dataclass(frozen=True)
class BackupFile:
    """One backup on disk; ``manifest`` is its sidecar `<name>.json` when this bot sealed it.

    ``sidecar`` says what was found: a sidecar that does not verify is never read as a manifest,
    so whatever it claims (verified, sha256, kind) counts for nothing.

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
    sidecar: Sidecar = Sidecar.NONE

    @property
    def compressed(self) -> bool:
        return self.compression is not Compression.NONE

    @property
    def aphrodite_can_restore(self) -> bool:
        """Whether Aphrodite's own web UI can restore it: plain SQL or gzip under a name it lists."""
        return self.compression.aphrodite_can_restore and not self.name.endswith(".zst")

    @property
    def sealed(self) -> bool:
        """Made by this bot: its sidecar's signature verifies with the key in DATA_DIR."""
        return self.manifest is not None and self.sidecar is Sidecar.SEALED

    @property
    def aphrodite_restorable(self) -> bool | None:
        """`aphrodite_can_restore` as far as is known: None when the format allows it but the file
        was never verified (a truncated gzip looks just like a whole one until it is read)."""
        if not self.aphrodite_can_restore:
            return False
        return True if self.verified else None

    @property
    def made_here(self) -> bool:
        """Sealed, with a sha256, and dumped here: not a copy fetched from off-site, which only the
        store's metadata vouches for (so a superuser restores it only as one of unknown origin)."""
        return self.sealed and self.sha256 is not None and "fetched_from" not in (self.manifest or {})

    @property
    def verified(self) -> bool:
        """True when our sealed sidecar records a completed, verified dump with this size."""
        return bool(
            self.manifest and self.manifest.get("verified") and self.manifest.get("size") == self.size
        )

    @property
    def sha256(self) -> str | None:
        sha256 = self.manifest.get("sha256") if self.manifest else None
        return sha256 if isinstance(sha256, str) else None

    @property
    def made_by_aphrodite(self) -> bool:
        """Not made by this bot (no sealed sidecar): Aphrodite's web UI's, or of unknown origin."""
        return not self.sealed

    @property
    def kind(self) -> str:
        """'manual', 'scheduled' or 'safety' (before a restore) for ours; 'unknown' for the rest."""
        if not self.sealed or self.manifest is None:
            return KIND_UNKNOWN
        return str(self.manifest.get("kind") or KIND_MANUAL)

    @property
    def origin(self) -> str:
        """Who made it, as far as can be proved: "made by ..." only for a sealed sidecar."""
        if self.sealed and self.manifest is not None:
            label = self.manifest.get("label")
            by = f", for {label}" if isinstance(label, str) and label else ""
            return f"made by this bot ({self.kind} backup{by})"
        return NO_SIDECAR_ORIGIN if self.sidecar is Sidecar.NONE else UNSEALED_ORIGIN


def _created_at(match: re.Match[str], modified_at: datetime) -> datetime:
    try:
        return datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:  # a stamp such as 20251399_000000
        return modified_at


def sidecar_path(path: Path) -> Path:
    """Where the manifest of the backup at ``path`` lives: `<name>.json` beside it."""
    return path.with_name(path.name + ".json")


def read_manifest(path: Path, seal: SidecarSeal | None) -> tuple[dict[str, object] | None, Sidecar]:
    """The sidecar's manifest when ``seal`` verifies it (None and what was found otherwise); blocking."""
    data = read_small_file(sidecar_path(path), _MANIFEST_LIMIT)
    if data is None:
        return None, Sidecar.NONE
    try:
        manifest = json.loads(data)
    except ValueError:
        return None, Sidecar.UNSEALED
    # The seal covers the name too: a sealed sidecar copied beside another file does not count.
    if isinstance(manifest, dict) and manifest.get("name") == path.name and seal and seal.verifies(manifest):
        return manifest, Sidecar.SEALED
    return None, Sidecar.UNSEALED


def write_manifest(path: Path, manifest: dict[str, object], seal: SidecarSeal) -> None:
    """Seal and write the sidecar of the backup at ``path`` atomically and durably (blocking).

    Every sidecar the bot writes or rewrites (a field added after the dump) goes through here, so
    each write is sealed anew over all its fields.
    """
    sidecar = sidecar_path(path)
    temporary = sidecar.with_name(f".{sidecar.name}.partial")
    sealed = seal.sign(manifest)
    with open(temporary, "w") as file:
        json.dump(sealed, file, indent=2, sort_keys=True)
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


def scan_inventory(backup_dir: Path, seal: SidecarSeal | None = None) -> Inventory:
    """Vet every entry of ``backup_dir`` (blocking); an absent folder is an empty inventory.

    Hidden entries (the lock, temporary files) and the sidecars of listed backups are not reported.
    Sidecars are read only when ``seal`` verifies them; without a seal every backup is of unknown
    origin (enough for counting and sizes, as `/db status` does).
    """
    try:
        entries = list(backup_dir.iterdir())
        owners = trusted_owners(backup_dir)
    except FileNotFoundError:
        return Inventory([], [])
    except OSError as error:  # unreadable by this user, or a file: name the setting, no traceback
        raise unreadable_folder("BACKUP_DIR", backup_dir, error) from None
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
            backups.append(_backup_file(path, match, vet(path, owners), seal))
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


def _backup_file(
    path: Path, match: re.Match[str], vetted: VettedFile, seal: SidecarSeal | None
) -> BackupFile:
    manifest, sidecar = read_manifest(path, seal)
    return BackupFile(
        name=path.name,
        path=path,
        size=vetted.size,
        created_at=_created_at(match, vetted.modified_at),
        compression=vetted.compression,
        manifest=manifest,
        modified_at=vetted.modified_at,
        identity=vetted.identity,
        sidecar=sidecar,
    )


def scan_backups(backup_dir: Path, seal: SidecarSeal | None = None) -> list[BackupFile]:
    """Every backup file in ``backup_dir``, newest first (blocking)."""
    return scan_inventory(backup_dir, seal).backups


async def list_inventory(backup_dir: Path, seal: SidecarSeal | None = None) -> Inventory:
    """`scan_inventory` off the event loop."""
    return await asyncio.to_thread(scan_inventory, backup_dir, seal)


async def list_backups(backup_dir: Path, seal: SidecarSeal | None = None) -> list[BackupFile]:
    """`scan_backups` off the event loop."""
    return await asyncio.to_thread(scan_backups, backup_dir, seal)


async def find_backup(backup_dir: Path, name: str, seal: SidecarSeal | None = None) -> BackupFile:
    """The backup called exactly ``name``; anything that is not an inventory name is refused."""
    if not BACKUP_NAME.fullmatch(name):
        raise BackupNotFound(f"{name[:80]!r} is not a backup name (expected {NAME_FORMAT}).")
    inventory = await list_inventory(backup_dir, seal)
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
