"""The log file's state: size, lines, last change, and the rotated files and archives beside it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from bot.logs.reader import LogHandle

ARCHIVE_STAMP = "%Y%m%d_%H%M%S"


@dataclass(frozen=True)
class SiblingFile:
    """A file beside the log: a rotated ``.1`` … ``.5`` (or ``.2.gz``) or an archive made by clear."""

    path: Path
    size: int
    modified: datetime


@dataclass(frozen=True)
class LogStatus:
    """A log file with content. ``modified`` is in UTC."""

    path: Path
    size: int
    modified: datetime
    total_lines: int
    rotated: tuple[SiblingFile, ...]
    archives: tuple[SiblingFile, ...]
    measured_at: datetime


@dataclass(frozen=True)
class NoLog:
    """The log file is missing or empty: adapters show `message` and the path looked at.

    ``folder_exists`` is False when not even the log's folder exists: APHRODITE_LOG_FILE points
    nowhere (a typo, a volume not mounted), which "doesn't exist yet" would hide.
    """

    MESSAGE: ClassVar[str] = "The log file is empty or doesn't exist yet."

    path: Path
    exists: bool
    rotated: tuple[SiblingFile, ...]
    archives: tuple[SiblingFile, ...]
    measured_at: datetime
    folder_exists: bool = True

    @property
    def message(self) -> str:
        if not self.folder_exists:
            return (
                f"APHRODITE_LOG_FILE is {self.path}, but its folder {self.path.parent} does not exist: "
                "the setting is wrong, or Aphrodite's log folder is not mounted here."
            )
        return self.MESSAGE


def open_log(path: Path) -> LogHandle | None:
    """The log, opened; None when it does not exist or is empty (the caller closes the handle)."""
    try:
        handle = LogHandle(path)
    except FileNotFoundError:
        return None
    if handle.size == 0:
        handle.close()
        return None
    return handle


def no_log(path: Path) -> NoLog:
    return NoLog(
        path, path.exists(), rotated_files(path), archives(path), datetime.now(UTC), path.parent.is_dir()
    )


def log_status(handle: LogHandle, total_lines: int) -> LogStatus:
    return LogStatus(
        path=handle.path,
        size=handle.size,
        modified=handle.state.modified,
        total_lines=total_lines,
        rotated=rotated_files(handle.path),
        archives=archives(handle.path),
        measured_at=datetime.now(UTC),
    )


def rotated_files(path: Path) -> tuple[SiblingFile, ...]:
    """``log.1``, ``log.2`` … that exist, newest (lowest number) first, gzipped ones (``log.2.gz``, as
    logrotate's ``compress`` leaves them) among them."""
    pattern = re.compile(re.escape(path.name) + r"\.(\d+)(\.gz)?")
    numbered = sorted((int(m[1]), bool(m[2]), p) for p in _siblings(path) if (m := pattern.fullmatch(p.name)))
    return _described(p for _, _, p in numbered)


def archives(path: Path) -> tuple[SiblingFile, ...]:
    """``log.YYYYMMDD_HHMMSS.gz`` archives made by clear, newest first."""
    pattern = re.compile(re.escape(path.name) + r"\.\d{8}_\d{6}(?:-\d+)?\.gz")
    found = [p for p in _siblings(path) if pattern.fullmatch(p.name)]
    return _described(sorted(found, key=lambda p: p.name, reverse=True))


def archive_name(path: Path, when: datetime) -> str:
    return f"{path.name}.{when.strftime(ARCHIVE_STAMP)}.gz"


def _siblings(path: Path) -> list[Path]:
    try:
        return [p for p in path.parent.iterdir() if p.name.startswith(path.name + ".") and p.is_file()]
    except OSError:
        return []


def _described(paths: Iterable[Path]) -> tuple[SiblingFile, ...]:
    described = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:  # rotated away since the folder was listed
            continue
        described.append(SiblingFile(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return tuple(described)
