"""Reading a log file in chunks that hold whole entries, from either end, safe against rotation.

The file is opened once and read by offset (``os.pread``) up to the size it had when opened:
a rotation renames the file but our descriptor keeps reading the same data; a truncation
(``/logs clear``, copytruncate) makes reads come back short, and the read stops there and says so
(``LogHandle.shrunk``). Lines Aphrodite appends meanwhile are simply not part of this read.

Chunks start at a header line and end where the next header starts, so a traceback is never
split across two chunks, unless one entry is larger than ``MAX_CHUNK`` (it is then cut at a line).
A single line larger than ``MAX_CHUNK`` comes as a chunk of its own holding only the line's first
``LONG_LINE_HEAD`` bytes (``Chunk.line_length`` says how long it is): however long a line, every
chunk moves the read forward, and no chunk holds more than ``MAX_CHUNK`` bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from bot.errors import OpsError
from bot.logs.chunk import Chunk

BACKWARD_CHUNK = 1024 * 1024
# Forward scans check their deadline between chunks: small enough that one chunk is quick.
FORWARD_CHUNK = 1024 * 1024
MAX_CHUNK = 16 * 1024 * 1024
# What is kept of a line longer than MAX_CHUNK: more than any consumer shows or searches (see shown.py).
LONG_LINE_HEAD = 128 * 1024
_SEEK_BLOCK = 4 * 1024 * 1024


class LogUnreadable(OpsError):
    """The log path exists but cannot be read as a log (a folder, a pipe, no permission)."""


@dataclass(frozen=True)
class FileState:
    """The file as it was when opened: what caches key on and what status reports."""

    device: int
    inode: int
    size: int
    modified: datetime


class LogHandle:
    """One open log file, read by offset within the size it had when opened."""

    def __init__(self, path: Path) -> None:
        """Open ``path``; FileNotFoundError when it is missing, LogUnreadable when it is no log file."""
        self.path = path
        try:
            # O_NONBLOCK: a named pipe at the log's path must not hang the bot; files ignore it.
            self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except PermissionError:
            raise LogUnreadable(f"The bot may not read {path} (permission denied).") from None
        info = os.fstat(self._fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(self._fd)
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise LogUnreadable(f"{path} is {kind}, not a log file: check APHRODITE_LOG_FILE.")
        self.state = FileState(
            device=info.st_dev,
            inode=info.st_ino,
            size=info.st_size,
            modified=datetime.fromtimestamp(info.st_mtime, UTC),
        )
        self.shrunk = False
        self.bytes_read = 0

    @property
    def size(self) -> int:
        return self.state.size

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``; fewer (and ``shrunk`` set) when the file was truncated."""
        data = os.pread(self._fd, length, offset)
        self.bytes_read += len(data)
        if len(data) < length:
            self.shrunk = True
        return data

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> LogHandle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def chunks_backward(handle: LogHandle, chunk_size: int = BACKWARD_CHUNK) -> Iterator[Chunk]:
    """Chunks of whole entries, the newest first, down to the start of the file."""
    from bot.logs.framing import first_entry_start  # here: opening a log (status) needs no framing

    end = handle.size
    while end > 0:
        size = chunk_size
        while True:
            start = max(0, end - size)
            data = handle.read(start, end - start)
            if handle.shrunk:
                return
            cut = 0 if start == 0 else first_entry_start(data)
            if cut is None and size < MAX_CHUNK:
                size *= 2
                continue
            if cut is None:  # one entry larger than MAX_CHUNK: cut it at a line
                cut = data.find(b"\n") + 1
            if cut < len(data) and (cut > 0 or start == 0):
                yield Chunk(start, data, cut, len(data))
                end = start + cut
                break
            # The whole window lies within one line that ends at ``end``.
            line_start = _line_start_before(handle, start)
            if line_start is None:
                return
            yield _long_line(handle, line_start, end)
            end = line_start
            break


def chunks_forward(handle: LogHandle, start: int = 0, chunk_size: int = FORWARD_CHUNK) -> Iterator[Chunk]:
    """Chunks of whole entries, oldest first, from ``start`` (an entry start) to the end."""
    from bot.logs.framing import last_entry_start  # here: opening a log (status) needs no framing

    end = handle.size
    while start < end:
        size = chunk_size
        while True:
            stop = min(end, start + size)
            data = handle.read(start, stop - start)
            if handle.shrunk:
                return
            cut = len(data) if stop == end else last_entry_start(data)
            if cut is None and size < MAX_CHUNK:
                size *= 2
                continue
            if cut is None:  # one entry larger than MAX_CHUNK: cut it at a line
                cut = data.rfind(b"\n") + 1
            if cut > 0:
                yield Chunk(start, data, 0, cut)
                start += cut
                break
            # The whole window lies within one line that starts at ``start``.
            line_end = _line_end_after(handle, start + len(data))
            if line_end is None:
                return
            yield _long_line(handle, start, line_end)
            start = line_end
            break


def entry_start_at_or_after(handle: LogHandle, offset: int, chunk_size: int = FORWARD_CHUNK) -> int:
    """The offset of the first header line at or after ``offset`` (the size when there is none)."""
    from bot.logs.framing import is_header  # here: opening a log (status) needs no framing

    if offset <= 0:
        return 0
    pos = offset - 1  # from the byte before: a newline there means ``offset`` starts a line
    size = chunk_size
    while pos < handle.size - 1:
        data = handle.read(pos, min(size, handle.size - pos))
        if handle.shrunk:
            return handle.size
        at_end = pos + len(data) >= handle.size
        line = 1 if data[:1] == b"\n" else data.find(b"\n") + 1
        while 0 < line < len(data):
            line_end = data.find(b"\n", line)
            if line_end == -1 and not at_end:
                break  # the line goes on past this read: read again from its start
            if is_header(data, line):
                return pos + line
            if line_end == -1:
                return handle.size
            line = line_end + 1
        progress = len(data) - 1 if line == 0 else line - 1
        if progress == 0:
            size *= 2  # a line longer than the read
        pos += progress
    return handle.size


def _line_start_before(handle: LogHandle, pos: int) -> int | None:
    """Where the line holding the byte before ``pos`` starts (0 at the start of the file).

    None when the file shrank meanwhile.
    """
    while pos > 0:
        block = max(0, pos - _SEEK_BLOCK)
        data = handle.read(block, pos - block)
        if handle.shrunk:
            return None
        newline = data.rfind(b"\n")
        if newline != -1:
            return block + newline + 1
        pos = block
    return 0


def _line_end_after(handle: LogHandle, pos: int) -> int | None:
    """Where the line holding ``pos`` ends, its newline included (the file's size when none).

    None when the file shrank meanwhile.
    """
    while pos < handle.size:
        data = handle.read(pos, min(_SEEK_BLOCK, handle.size - pos))
        if handle.shrunk:
            return None
        newline = data.find(b"\n")
        if newline != -1:
            return pos + newline + 1
        pos += len(data)
    return handle.size


def _long_line(handle: LogHandle, start: int, end: int) -> Chunk:
    """The line at [start, end), longer than MAX_CHUNK: its first LONG_LINE_HEAD bytes only."""
    head = handle.read(start, min(LONG_LINE_HEAD, end - start))
    return Chunk(start, head, 0, len(head), line_length=end - start)
