"""The scratch file an encrypted upload's parts are written into: in BACKUP_DIR, private, unnamed.

BACKUP_DIR, not the system's temporary folder: it is the disk meant for backups, which the bot
owns and writes already, whereas /tmp may be a tmpfs (memory) or a small root partition. The
file is created as `.offsite_NAME.XXXXXXXX.upload.partial` (mkstemp: O_EXCL, mode 0600, no
symlink followed) and unlinked at once, so nothing else opens it and it goes with its last
descriptor: after success, failure or cancellation, and when the process is killed. Only a
process killed between those two calls leaves the name behind; the next upload removes it.
The file holds at most a few parts (bot.offsite.parts reuses their regions); a disk that fills
anyway fails the upload with `DiskFull`, retried like any other failure.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from bot.backups.inventory import BACKUP_NAME
from bot.offsite.errors import OffsiteFailed

_LEFTOVER = re.compile(r"\.offsite_(?P<name>.+)\.[a-z0-9_]{8}\.upload\.partial")
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class DiskFull(OffsiteFailed):
    """BACKUP_DIR had no room for the encrypted parts."""


def open_scratch(backup_dir: Path, name: str) -> BinaryIO:
    """A new private file in ``backup_dir`` that no name leads to, open for reading and writing."""
    descriptor, path = tempfile.mkstemp(prefix=f".offsite_{name}.", suffix=".upload.partial", dir=backup_dir)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass  # another upload's sweep took the name first: the file is as unnamed as we want it
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "r+b", buffering=0)


def sweep_upload_leftovers(backup_dir: Path) -> list[str]:
    """Remove the scratch names killed uploads left (files only, for backup names); those names."""
    removed = []
    with os.scandir(backup_dir) as entries:
        for entry in entries:
            match = _LEFTOVER.fullmatch(entry.name)
            if match and BACKUP_NAME.fullmatch(match["name"]) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(entry.name)
    return sorted(removed)


def disk_full(backup_dir: Path, name: str, needed: int) -> DiskFull:
    return DiskFull(
        f"BACKUP_DIR ({backup_dir}) has no room for the encrypted parts of {name} (up to "
        f"{needed / 2**20:.0f} MiB while it is uploaded); nothing was uploaded.",
        hint="free some space in BACKUP_DIR; the upload is retried",
    )
