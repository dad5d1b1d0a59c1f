"""Why the bot's state store (DATA_DIR/state.sqlite3) does not work, in words that say what to fix."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.errors import OpsError

CORRUPT_SUFFIX = ".corrupt-"
_CORRUPT_CODES = frozenset(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


class StateUnavailable(OpsError):
    """The state store cannot be opened, read or written; ``reason`` says why, ``hint`` what to do.

    ``corrupt`` is True when the file is not a SQLite database any more (damaged or truncated):
    only moving it aside helps (the bot's monitor does that, see `StateStore.set_aside`).
    """

    def __init__(self, path: Path, reason: str, hint: str, *, corrupt: bool = False) -> None:
        super().__init__(f"The bot's state store {path} cannot be used: {reason}.")
        self.path = path
        self.reason = reason
        self.hint = hint
        self.corrupt = corrupt


def state_unavailable(path: Path, error: BaseException) -> StateUnavailable:
    """``error`` (from sqlite3, the file system or a stored value) as a StateUnavailable for ``path``."""
    if isinstance(error, StateUnavailable):
        return error
    if isinstance(error, sqlite3.Error):
        return _sqlite_failure(path, error)
    if isinstance(error, OSError):
        return _file_failure(path, error)
    return StateUnavailable(
        path,
        f"it holds a value the bot cannot read ({type(error).__name__}: {error})",
        "the bot's monitor writes a fresh value at its next round; or stop the bot and move the file aside",
    )


def _sqlite_failure(path: Path, error: sqlite3.Error) -> StateUnavailable:
    name = getattr(error, "sqlite_errorname", "")
    if name in _CORRUPT_CODES:
        return StateUnavailable(
            path,
            f"it is not a valid SQLite database ({error}: damaged or truncated)",
            f"the bot's monitor moves it aside to {path.name}{CORRUPT_SUFFIX}<time> and starts a fresh "
            "one at its next round; without the bot running, move the file aside yourself",
            corrupt=True,
        )
    if name.startswith("SQLITE_READONLY"):
        return StateUnavailable(path, f"it is read-only ({error})", _WRITABLE)
    if name.startswith("SQLITE_CANTOPEN"):
        return _cannot_open(path, str(error))
    if name.startswith("SQLITE_IOERR") and (refusal := _write_refusal(path)):
        return StateUnavailable(path, f"it is read-only ({error}: {refusal})", _WRITABLE)
    if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"):
        return StateUnavailable(
            path,
            f"the disk refused to read or write it ({error}: is the disk full or failing?)",
            "free space on the disk that holds DATA_DIR (df -h), and check the disk's health",
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StateUnavailable(
            path, f"another process holds it locked ({error})", "try again; if it persists, restart the bot"
        )
    return StateUnavailable(path, f"SQLite failed: {error}", _WRITABLE)


def _write_refusal(path: Path) -> str | None:
    """Why the file (or its journal) refuses writing, when it does: an I/O error is often that."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_APPEND))
        except FileNotFoundError:
            continue
        except OSError as refused:
            return f"{candidate.name}: {refused.strerror}"
    return None


def _file_failure(path: Path, error: OSError) -> StateUnavailable:
    if isinstance(error, PermissionError):
        return StateUnavailable(path, f"permission denied ({error.strerror})", _WRITABLE)
    return _cannot_open(path, error.strerror or str(error))


def _cannot_open(path: Path, detail: str) -> StateUnavailable:
    """Say which part of the path is in the way: DATA_DIR being a file is the usual mistake."""
    folder = path.parent
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            where = "is a file" if part == folder else f"is inside {part}, which is a file"
            return StateUnavailable(
                path,
                f"DATA_DIR {folder} {where}, not a folder",
                "point DATA_DIR at a folder (or move that file away)",
            )
    if path.is_dir():
        return StateUnavailable(path, "that path is a folder, not a file", f"move the folder {path} away")
    return StateUnavailable(path, f"it cannot be opened ({detail})", _WRITABLE)


_WRITABLE = (
    "make DATA_DIR and the files in it writable by the user the bot runs as (chown/chmod, "
    "a read-write volume), or point DATA_DIR at a folder that is"
)
