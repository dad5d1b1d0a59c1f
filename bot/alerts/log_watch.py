"""The log target: the ERROR/CRITICAL entries Aphrodite wrote since the previous round.

The position (file identity, offset, and a fingerprint of the bytes just before it) is kept in
the state store, so a restart neither counts an entry twice nor misses one. A rotation
(``aphrodite-v2.log`` → ``.1`` …) is followed: the rest of the old file is read first, then the
new one from its start. A truncation (``/logs clear``, copytruncate) starts over at the top.
At most ``max_bytes`` are read per round; the rest waits for the next one.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.alerts.results import LOG_TARGET, LogErrors, TargetResult
from bot.logs.chunk import Chunk
from bot.logs.entry import Level
from bot.logs.framing import entry_starts
from bot.logs.parse import build_entry, header_level
from bot.logs.reader import LogHandle, LogUnreadable
from bot.logs.shown import show
from bot.redact import Redactor
from bot.status import Status

MAX_BYTES_PER_ROUND = 8 * 1024 * 1024
SHOWN_ENTRIES = 5
# Kept per summary for its Download button; bounded because undelivered summaries pile up in the
# outbox while Discord is unreachable (/logs download has the whole log).
DOWNLOAD_CHARS = 1024 * 1024
ROTATED_FILES = 5
_FINGERPRINT_BYTES = 64
_ERROR_LEVELS = frozenset((Level.ERROR, Level.CRITICAL))


@dataclass(frozen=True)
class LogPosition:
    """Where the previous round stopped: a file (device, inode), an offset, and what precedes it."""

    device: int
    inode: int
    offset: int
    fingerprint: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "inode": self.inode,
            "offset": self.offset,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> LogPosition | None:
        if not data:
            return None
        return cls(data["device"], data["inode"], data["offset"], data.get("fingerprint", ""))


@dataclass(frozen=True)
class _Scan:
    position: LogPosition | None
    errors: int
    critical: bool
    shown: tuple[str, ...]
    text: str
    text_cut: bool
    restarted: bool


class LogWatcher:
    """Reads only what was appended since the previous round, in a worker thread."""

    keys: tuple[str, ...] = (LOG_TARGET,)
    state_key = "alerts.log_position"

    def __init__(self, path: Path, redactor: Redactor, *, max_bytes: int = MAX_BYTES_PER_ROUND) -> None:
        self.path = path
        self._redactor = redactor
        self._max_bytes = max_bytes
        self.position: LogPosition | None = None

    def snapshot(self) -> dict[str, Any] | None:
        return None if self.position is None else self.position.to_dict()

    def restore(self, value: dict[str, Any] | None) -> None:
        self.position = LogPosition.from_dict(value)

    async def __call__(self, now: datetime) -> list[TargetResult]:
        try:
            scan = await asyncio.to_thread(self._scan)
        except FileNotFoundError:  # rotated or removed between listing and opening: next round
            scan = None
        except LogUnreadable as error:
            return [
                TargetResult(LOG_TARGET, now, Status.FAILED, None, str(error), "Check APHRODITE_LOG_FILE.")
            ]
        if scan is None:
            detail = f"No log file at {self.path} yet"
            return [TargetResult(LOG_TARGET, now, Status.NOT_CONFIGURED, None, detail)]
        self.position = scan.position
        if not scan.errors:
            return [TargetResult(LOG_TARGET, now, Status.OK, None, "No new errors")]
        status = Status.FAILED if scan.critical else Status.DEGRADED
        noun = "error" if scan.errors == 1 else "errors"
        detail = f"{scan.errors} new {noun} in {self.path.name} since the previous round"
        errors = LogErrors(scan.errors, scan.shown, scan.text, scan.text_cut)
        hint = "/logs view level:ERROR shows them with their context."
        return [TargetResult(LOG_TARGET, now, status, None, detail, hint, log_errors=errors)]

    def _scan(self) -> _Scan | None:
        files = _log_files(self.path)
        if not files:
            return None
        newest = files[0]
        position = self.position
        if position is None:  # first round ever: watch from now on, not the log's whole past
            with LogHandle(newest) as handle:
                return _empty(_position_at(handle, handle.size))
        index, restarted = _locate(files, position)
        offset = 0 if restarted else position.offset
        collector = _Collector(self._redactor)
        budget = self._max_bytes
        new_position = position
        for file_index in range(index, -1, -1):
            with LogHandle(files[file_index]) as handle:
                end = min(handle.size, offset + budget)
                data = handle.read(offset, end - offset) if end > offset else b""
                if end < handle.size:  # stop at a line end: the rest of a line waits for next round
                    cut = data.rfind(b"\n") + 1
                    data = data[:cut] if cut else data
                collector.add(data, offset)
                budget -= len(data)
                new_position = _position_at(handle, offset + len(data))
                if offset + len(data) < handle.size or budget <= 0:
                    break
            offset = 0
        return collector.scan(new_position, restarted)


class _Collector:
    """Counts the error entries of the bytes read and keeps their redacted text."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self.errors = 0
        self.critical = False
        self.shown: list[str] = []
        self.parts: list[str] = []
        self.size = 0
        self.cut = False

    def add(self, data: bytes, offset: int) -> None:
        if not data:
            return
        chunk = Chunk(offset, data, 0, len(data))
        starts = entry_starts(chunk)
        for index, start in enumerate(starts):
            level = header_level(data, start)
            if level not in _ERROR_LEVELS:
                continue
            end = starts[index + 1] if index + 1 < len(starts) else len(data)
            shown = show(Chunk(offset + start, data, start, end), self._redactor)
            entry = build_entry(shown.chunk.text, offset + start)
            self.errors += 1
            self.critical = self.critical or level is Level.CRITICAL
            if len(self.shown) < SHOWN_ENTRIES:
                self.shown.append(entry.text)
            if self.size + len(entry.text) + 1 <= DOWNLOAD_CHARS:
                self.parts.append(entry.text)
                self.size += len(entry.text) + 1
            else:
                self.cut = True

    def scan(self, position: LogPosition, restarted: bool) -> _Scan:
        text = "\n".join(self.parts) + ("\n" if self.parts else "")
        return _Scan(position, self.errors, self.critical, tuple(self.shown), text, self.cut, restarted)


def _log_files(path: Path) -> list[Path]:
    """The log and its rotated files, newest first (missing ones left out; the log itself first)."""
    if not path.exists():
        return []
    rotated = [path.with_name(f"{path.name}.{number}") for number in range(1, ROTATED_FILES + 1)]
    return [path, *(file for file in rotated if file.is_file())]


def _locate(files: list[Path], position: LogPosition) -> tuple[int, bool]:
    """Which file holds ``position`` (index into ``files``) and whether to restart at its top."""
    for index, file in enumerate(files):
        try:
            info = os.stat(file)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) != (position.device, position.inode):
            continue
        if info.st_size < position.offset:
            return index, True  # truncated
        with LogHandle(file) as handle:
            if _fingerprint(handle, position.offset) != position.fingerprint:
                return index, True  # truncated and written again past our offset
        return index, False
    return 0, True  # our file is gone (rotated away or replaced): the new log from its start


def _position_at(handle: LogHandle, offset: int) -> LogPosition:
    return LogPosition(handle.state.device, handle.state.inode, offset, _fingerprint(handle, offset))


def _fingerprint(handle: LogHandle, offset: int) -> str:
    start = max(offset - _FINGERPRINT_BYTES, 0)
    return hashlib.sha256(handle.read(start, offset - start)).hexdigest()[:16]


def _empty(position: LogPosition) -> _Scan:
    return _Scan(position, 0, False, (), "", False, False)
