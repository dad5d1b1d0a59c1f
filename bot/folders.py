"""The folders the bot writes (DATA_DIR, BACKUP_DIR): made when missing, or one clear error naming them."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import ConfigError


class FolderUnusable(ConfigError):
    """A folder setting names a place this user cannot create or write; nothing was changed."""


def ensure_folder(variable: str, path: Path) -> None:
    """Create ``path`` (and its parents) when missing; FolderUnusable if that fails or it is not a folder."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _unusable(variable, path, "exists but is not a folder") from None
    except OSError as error:
        raise _unusable(variable, path, f"cannot be created: {_reason(error, path)}") from None
    if not path.is_dir():
        raise _unusable(variable, path, "exists but is not a folder")


def ensure_writable_folder(variable: str, path: Path) -> None:
    """`ensure_folder`, and FolderUnusable when this user may not write there either."""
    ensure_folder(variable, path)
    if not os.access(path, os.W_OK | os.X_OK):
        raise _unusable(variable, path, "is not writable")


def unreadable_folder(variable: str, path: Path, error: OSError) -> FolderUnusable:
    """The error for a folder setting whose folder exists but cannot be listed (or is a file)."""
    if isinstance(error, NotADirectoryError):
        return _unusable(variable, path, "exists but is not a folder")
    return _unusable(variable, path, f"cannot be read: {_reason(error, path)}")


def _reason(error: OSError, path: Path) -> str:
    """The system's words, and the parent that failed when it is not the folder itself."""
    reason = (error.strerror or type(error).__name__).lower()
    failed = Path(os.fsdecode(error.filename)) if error.filename is not None else path
    if failed != path:
        reason += f" ({failed})"
    return reason


def _unusable(variable: str, path: Path, problem: str) -> FolderUnusable:
    uid = os.geteuid()
    absolute = Path.cwd() / path if not path.is_absolute() else path
    shown = str(path) if path.is_absolute() else f"{path} ({absolute})"
    return FolderUnusable(
        f"{variable} {shown} {problem} for uid {uid}.",
        hint=(
            f"create it and give it to uid {uid} (mkdir -p {absolute} && chown {uid}:{uid} {absolute}), "
            f"or set {variable} to a folder uid {uid} can write. In Docker keep DATA_DIR=/data and "
            "BACKUP_DIR=/data/backups, as docker-compose.yml sets them: /data is a volume the bot's "
            "user owns."
        ),
    )
