"""Clearing the log: archive its content beside it (gzip), then truncate it in place.

Aphrodite keeps the file open and goes on writing to it, so the file is never deleted or
recreated: it is truncated through a descriptor. Python's logging opens files in append mode
(O_APPEND), so its next line lands at the start of the emptied file.

Lines written between the last copy and the truncation (microseconds) would be lost; the copy
is repeated until the size stops changing to keep that window as small as it can be.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.errors import OpsError
from bot.logs.file_status import SiblingFile, archive_name
from bot.logs.reader import LogUnreadable

_COPY_CHUNK = 4 * 1024 * 1024
_CATCH_UP_ROUNDS = 5


class LogFileMissing(OpsError):
    """There is no log file at the configured path."""

    exit_code = 3


class ClearFailed(OpsError):
    """The archive could not be written; the log was left as it was."""


@dataclass(frozen=True)
class ClearResult:
    """What clear did: ``archive`` is None when nothing was archived (asked not to, or empty)."""

    path: Path
    cleared_bytes: int
    archive: SiblingFile | None
    cleared_at: datetime


def clear_log(path: Path, archive: bool, now: datetime) -> ClearResult:
    """Archive (when asked and not empty) then truncate the log; blocking, run it in a thread."""
    fd = _open_for_clearing(path)
    try:
        archived = None
        if archive and os.fstat(fd).st_size > 0:
            archived = _archive(fd, path, now)
        cleared = os.fstat(fd).st_size
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)
    return ClearResult(path=path, cleared_bytes=cleared, archive=archived, cleared_at=now)


def _open_for_clearing(path: Path) -> int:
    try:
        # No O_CREAT: a missing log stays missing. O_NONBLOCK: a pipe there must not hang us.
        fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    except FileNotFoundError:
        raise LogFileMissing(f"There is no log file at {path}: nothing to clear.") from None
    except IsADirectoryError:
        raise LogUnreadable(f"{path} is a folder, not a log file: check APHRODITE_LOG_FILE.") from None
    except PermissionError:
        raise LogUnreadable(f"The bot may not write to {path} (permission denied): not cleared.") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LogUnreadable(f"{path} is not a regular file: not cleared.")
    return fd


def _archive(fd: int, path: Path, now: datetime) -> SiblingFile:
    """Gzip the file's whole content to ``<log>.<time>.gz`` beside it, written under a temporary name."""
    temporary = None
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".clearing")
        temporary = Path(name)
        with open(handle, "wb") as raw:
            os.fchmod(raw.fileno(), os.fstat(fd).st_mode & 0o777)  # as private as the log itself
            with gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, mtime=int(now.timestamp())) as out:
                copied = 0
                for _ in range(_CATCH_UP_ROUNDS):
                    size = os.fstat(fd).st_size
                    if size <= copied:
                        break
                    copied = _copy(fd, copied, size, out)
            raw.flush()
            os.fsync(raw.fileno())
        final = _publish(temporary, path.with_name(archive_name(path, now)))
    except OSError as error:
        raise ClearFailed(
            f"Could not write the archive beside {path} ({error.strerror or error}); the log was not cleared."
        ) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):  # renamed into place by _publish
                temporary.unlink()
    return SiblingFile(final, final.stat().st_size, now)


def _copy(fd: int, start: int, end: int, out: gzip.GzipFile) -> int:
    offset = start
    while offset < end:
        data = os.pread(fd, min(_COPY_CHUNK, end - offset), offset)
        if not data:
            break
        out.write(data)
        offset += len(data)
    return offset


def _publish(temporary: Path, wanted: Path) -> Path:
    """Link the finished archive under ``wanted`` (or ``-2``, ``-3`` … if taken): never overwrites."""
    stem = wanted.name.removesuffix(".gz")
    for attempt in range(1, 100):
        final = wanted if attempt == 1 else wanted.with_name(f"{stem}-{attempt}.gz")
        try:
            os.link(temporary, final)
        except FileExistsError:
            continue
        except OSError:  # a filesystem without hard links: rename, checking the name first
            if final.exists():
                continue
            os.replace(temporary, final)
        return final
    raise FileExistsError(f"too many archives named {wanted.name}")
