"""A copy that exists only off-site, made local again: downloaded, decrypted, checked, then named.

The download and the decrypted file are hidden `.offsite_*.partial` files in BACKUP_DIR until
the decrypted bytes match the size and the sha256 the object's metadata recorded at upload; only
then does the file take its backup name, with a sidecar, so that restores and drills vet and
replay it exactly like any other local backup. Anything else leaves nothing behind, and what a
killed fetch left is removed by the next one (bot.offsite.partials).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import BinaryIO

from bot.backups.compression import Compression
from bot.backups.inventory import BACKUP_NAME, KIND_UNKNOWN, NAME_FORMAT, BackupNotFound
from bot.backups.sidecar_seal import SidecarSeal
from bot.offsite.crypto import HashingWriter, decrypt_file, load_identities
from bot.offsite.errors import CopyRefused, OffsiteFailed
from bot.offsite.partials import claim, partial_paths, sweep_leftovers
from bot.offsite.record import SIDECAR_KEY, write_sidecar
from bot.offsite.remote import RemoteCopy
from bot.offsite.store import ObjectStore

log = logging.getLogger(__name__)

# A copy of a backup without a sealed sidecar gets none either ("aphrodite": older copies' name).
_NO_SIDECAR_KINDS = (KIND_UNKNOWN, "aphrodite")


async def fetch_copy(
    store: ObjectStore, copy: RemoteCopy, backup_dir: Path, identity_file: Path | None, seal: SidecarSeal
) -> Path:
    """Download ``copy`` into ``backup_dir`` under its backup name, verified; its path.

    Its sidecar says it was fetched (``fetched_from``): only the store's metadata vouches for it,
    so it never counts as made on this host (BackupFile.made_here).
    """
    if not BACKUP_NAME.fullmatch(copy.name):
        raise BackupNotFound(f"{copy.name[:80]!r} is not a backup name (expected {NAME_FORMAT}).")
    if not copy.ours or copy.sha256 is None or copy.backup_size is None:
        raise CopyRefused(
            f"{copy.key} was not uploaded by this bot (no sha256 and size in its metadata), so it "
            "cannot be verified and is not used."
        )
    identities = load_identities(identity_file) if copy.encrypted else None
    final = backup_dir / copy.name
    decrypted, downloaded = partial_paths(backup_dir, copy.name)
    await asyncio.to_thread(backup_dir.mkdir, parents=True, exist_ok=True)
    swept = await asyncio.to_thread(sweep_leftovers, backup_dir)
    if swept:
        log.info("removed what killed fetches of %s left in %s", ", ".join(swept), backup_dir)
    plain = await asyncio.to_thread(claim, decrypted)
    try:
        download = await asyncio.to_thread(_create_private, downloaded)
        try:
            await _download(store, copy.key, download)
            written = await asyncio.to_thread(_decrypt, download, plain, identities)
        finally:
            await asyncio.to_thread(download.close)
        if written.bytes_written != copy.backup_size or written.sha256.hexdigest() != copy.sha256:
            raise CopyRefused(
                f"The off-site copy of {copy.name} does not match the sha256 recorded when it was "
                "uploaded: it was changed or damaged in the store, so it is not used."
            )
        await asyncio.to_thread(_take_name, decrypted, final)
    finally:
        await asyncio.to_thread(_remove, downloaded, decrypted)
        await asyncio.to_thread(plain.close)  # the lock goes last, once nothing of it is left
    if copy.kind not in _NO_SIDECAR_KINDS:
        await write_sidecar(final, _manifest(copy, store), seal)
    return final


def _create_private(path: Path) -> BinaryIO:
    """A new file of this fetch's own at ``path``, open for writing and reading back.

    The fetch holds the lock of this backup's partial files, so whatever has the name already is a
    killed fetch's leftover or was planted (a symlink, a hard link to another file): it loses
    the name only, and the file it leads to is never written.
    """
    try:
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise OffsiteFailed(
            f"{path.name} in {path.parent} could not be made a new file ({error.strerror}); "
            "nothing was fetched."
        ) from None
    return os.fdopen(descriptor, "w+b")


async def _download(store: ObjectStore, key: str, file: BinaryIO) -> None:
    async def write(chunk: bytes) -> None:
        await asyncio.to_thread(file.write, chunk)

    async with store.client() as client:
        await store.download(client, key, write)


def _decrypt(encrypted: BinaryIO, plain: BinaryIO, identities: list[object] | None) -> HashingWriter:
    """Decrypt what was downloaded into ``encrypted``, read back through the same descriptor."""
    encrypted.flush()
    encrypted.seek(0)
    writer = HashingWriter(plain)
    decrypt_file(encrypted, writer, identities)
    plain.flush()
    os.fsync(plain.fileno())
    return writer


def _take_name(decrypted: Path, final: Path) -> None:
    if final.exists():
        raise CopyRefused(f"{final.name} already exists in {final.parent}: it is restored from there.")
    os.replace(decrypted, final)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _manifest(copy: RemoteCopy, store: ObjectStore) -> dict[str, object]:
    suffix = copy.name.rsplit(".", 1)[-1]
    compression = {"gz": Compression.GZIP, "zst": Compression.ZSTD}.get(suffix, Compression.NONE)
    return {
        "name": copy.name,
        "size": copy.backup_size,
        "sha256": copy.sha256,
        "compressed": compression is not Compression.NONE,
        "compression": compression.value,
        "created_at": copy.created_at.isoformat(),
        "kind": copy.kind,
        "verified": True,
        "made_by": "aphrodite-ops",
        "fetched_from": str(store.location),
        **({"row_counts": copy.row_counts} if copy.row_counts is not None else {}),
        SIDECAR_KEY: {
            "url": str(store.location),
            "key": copy.key,
            "size": copy.size,
            "encrypted": copy.encrypted,
            "verified": True,
        },
    }
