"""The hidden files of a fetch in BACKUP_DIR: locked while it runs, removed once it was killed.

A fetch holds an exclusive `flock` on its `.offsite_NAME.partial` from before its download starts
until it is done; a killed fetch's lock goes with its process. `sweep_leftovers` (at the start of
every fetch) removes the bot's own partial files, `.offsite_NAME.partial` and
`.offsite_NAME.download.partial` for a backup NAME, whose lock no fetch holds, in this process or
another; it takes that lock itself while it removes them, so a fetch starting meanwhile waits for
nothing and loses nothing. Any other file is left alone. A name of ours that is a hard link to
some other file (or no regular file) was planted: its name is removed and the file it leads to
is never written, truncated or removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from bot.backups.inventory import BACKUP_NAME
from bot.offsite.errors import OffsiteFailed

_PARTIAL = re.compile(r"\.offsite_(?P<name>.+?)(?:\.download)?\.partial")
_CLAIM_ATTEMPTS = 3


def partial_paths(backup_dir: Path, name: str) -> tuple[Path, Path]:
    """The decrypted file and the download of a fetch of ``name``, until they are done."""
    return backup_dir / f".offsite_{name}.partial", backup_dir / f".offsite_{name}.download.partial"


def claim(path: Path) -> BinaryIO:
    """``path`` created empty and locked, open for writing; OffsiteFailed while a fetch holds it."""
    for _ in range(_CLAIM_ATTEMPTS):
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise OffsiteFailed(
                f"Another fetch of {path.name.removeprefix('.offsite_').removesuffix('.partial')} "
                "is running; try again when it has finished."
            ) from None
        try:
            opened = os.fstat(descriptor)
            if os.stat(path, follow_symlinks=False).st_ino == opened.st_ino:
                if stat.S_ISREG(opened.st_mode) and opened.st_nlink == 1:
                    os.ftruncate(descriptor, 0)
                    return os.fdopen(descriptor, "wb")
                os.unlink(path)  # planted: a hard link to another file, or no file; only its name goes
        except FileNotFoundError:
            pass  # swept between its creation and its lock: make it again
        os.close(descriptor)
    raise OffsiteFailed(f"{path.name} in {path.parent} keeps disappearing; nothing was fetched.")


def sweep_leftovers(backup_dir: Path) -> list[str]:
    """Remove the partial files of fetches that no longer run; the names of the backups they were."""
    names = set()
    with os.scandir(backup_dir) as entries:
        for entry in entries:
            match = _PARTIAL.fullmatch(entry.name)
            if match and BACKUP_NAME.fullmatch(match["name"]) and entry.is_file(follow_symlinks=False):
                names.add(match["name"])
    return sorted(name for name in names if _sweep(backup_dir, name))


def _sweep(backup_dir: Path, name: str) -> bool:
    decrypted, downloaded = partial_paths(backup_dir, name)
    try:
        handle = claim(decrypted)
    except (OffsiteFailed, OSError):
        return False  # a running fetch's, or not a file of ours
    with handle:
        if not downloaded.is_symlink():
            downloaded.unlink(missing_ok=True)
        decrypted.unlink()
    return True
