"""Whether a file named like a backup really is one, judged by its inode and its first bytes.

A name proves nothing: whoever can write to BACKUP_DIR can plant a symlink, a hard link to a
file elsewhere, a FIFO, a device or a directory under a backup's name. A backup is a regular
file with a single link, owned by this bot's user, the folder's owner or root, whose first bytes
are a plain-SQL pg_dump, plain, gzipped or zstd-compressed. Only the first few KiB are read (a
zstd file's first block, up to 128 KiB), so listing and autocomplete stay cheap, through a
descriptor opened without following links or blocking.
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.backups.compression import ZSTD_FIRST_BLOCK_BYTES, Compression, UnpackError, detect, sql_head
from bot.backups.dump_file import JUDGE_AFTER_BYTES, dump_head_problem

HEAD_BYTES = 8 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISLNK, "is a symbolic link"),
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a named pipe (FIFO)"),
    (stat.S_ISCHR, "is a device"),
    (stat.S_ISBLK, "is a device"),
    (stat.S_ISSOCK, "is a socket"),
)


class NotABackupFile(Exception):
    """The file is not a backup; ``reason`` says why in words that follow its name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VettedFile:
    """What vetting learnt of a backup file; ``identity`` (device, inode) pins the file it read."""

    size: int
    compression: Compression
    modified_at: datetime
    identity: tuple[int, int]


def trusted_owners(folder: Path) -> frozenset[int]:
    """The users whose files may be backups: this process's, the folder's owner (Aphrodite's), root."""
    return frozenset({os.geteuid(), os.stat(folder).st_uid, 0})


def vet(path: Path, owners: frozenset[int]) -> VettedFile:
    """Check the file at ``path`` (blocking); raise NotABackupFile saying why it is not a backup.

    FileNotFoundError passes through: the file went away while the folder was read.
    """
    seen = os.lstat(path)
    _require_plain_file(seen, owners)
    with _open_same(path, seen) as file:
        head = file.read(HEAD_BYTES)
        compression = detect(head)
        if compression is Compression.ZSTD:
            head += file.read(ZSTD_FIRST_BLOCK_BYTES - len(head))
    if problem := dump_head_problem(_sql_head(head, compression)):
        raise NotABackupFile(problem)
    return VettedFile(
        size=seen.st_size,
        compression=compression,
        modified_at=datetime.fromtimestamp(seen.st_mtime, UTC),
        identity=(seen.st_dev, seen.st_ino),
    )


def open_vetted(path: Path, identity: tuple[int, int]) -> io.BufferedReader:
    """Open the very file that was vetted (blocking); NotABackupFile if it was replaced since."""
    try:
        seen = os.lstat(path)
    except FileNotFoundError:
        raise NotABackupFile("was removed") from None
    if (seen.st_dev, seen.st_ino) != identity:
        raise NotABackupFile("was replaced since it was checked")
    _require_plain_file(seen, owners=None)
    return _open_same(path, seen)


def read_small_file(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the regular file at ``path`` (blocking); None for anything else.

    For a sidecar: opened like a backup, so a FIFO or a link planted under its name is ignored.
    """
    try:
        seen = os.lstat(path)
        _require_plain_file(seen, owners=None, links_allowed=True)
        with _open_same(path, seen) as file:
            return file.read(limit)
    except (OSError, NotABackupFile):
        return None


def _require_plain_file(
    seen: os.stat_result, owners: frozenset[int] | None, *, links_allowed: bool = False
) -> None:
    for is_kind, reason in _KINDS:
        if is_kind(seen.st_mode):
            raise NotABackupFile(reason)
    if not stat.S_ISREG(seen.st_mode):
        raise NotABackupFile("is not a regular file")
    if seen.st_nlink > 1 and not links_allowed:
        # A hard link is the same file as one elsewhere (perhaps outside the folder): not ours to send.
        raise NotABackupFile(f"has {seen.st_nlink} hard links (it may be a file from outside the folder)")
    if owners is not None and seen.st_uid not in owners:
        raise NotABackupFile(f"belongs to user id {seen.st_uid}, not to the bot's user or the folder's owner")


def _open_same(path: Path, seen: os.stat_result) -> io.BufferedReader:
    """Open ``path`` without following a link or waiting on a FIFO; refuse if it is not ``seen``."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except PermissionError:
        raise NotABackupFile("cannot be read (permission denied)") from None
    except OSError as error:  # ELOOP: swapped for a symlink since lstat; ENXIO: a FIFO
        raise NotABackupFile(f"cannot be opened ({error.strerror or error})") from None
    file = os.fdopen(descriptor, "rb")
    opened = os.fstat(file.fileno())
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(opened.st_mode):
        file.close()
        raise NotABackupFile("changed while it was checked")
    os.set_blocking(descriptor, True)
    return file


def _sql_head(head: bytes, compression: Compression) -> bytes:
    """The first SQL bytes inside the first bytes of a file."""
    try:
        return sql_head(head, compression, JUDGE_AFTER_BYTES)
    except UnpackError:
        name = compression.value
        raise NotABackupFile(f"is not a plain-SQL pg_dump file (its {name} data cannot be read)") from None
