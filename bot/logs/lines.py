"""Counting a log's lines for "N total lines", cheaply enough to do on every view.

A full count is a ``bytes.count(b"\\n")`` scan of the file in a thread: about 0.6 s per GiB
from the page cache (``wc -l`` takes a quarter of that; bench/logs_bench.py measures both).
The result is remembered per file (device, inode) with the size it covered and the bytes just
before that size; when the same file has only grown, which is how a log changes, only the
appended bytes are counted. A rotated or truncated file (another inode, a smaller size, or
different bytes at the old end) is counted again from the start.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.logs.reader import FORWARD_CHUNK, LogHandle

_TAIL_BYTES = 64
_REMEMBERED_FILES = 8


@dataclass(frozen=True)
class _Counted:
    size: int
    newlines: int
    tail: bytes


class LineCounter:
    """Line counts of log files, updated incrementally as they grow; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counted: dict[tuple[int, int], _Counted] = {}

    def count(self, handle: LogHandle) -> int:
        """Lines in the file as opened (a last line without a newline counts too)."""
        key = (handle.state.device, handle.state.inode)
        with self._lock:
            known = self._counted.get(key)
            if known and known.size <= handle.size and _still_ends_with(handle, known):
                newlines = known.newlines + _newlines(handle, known.size)
            else:
                newlines = _newlines(handle, 0)
            tail = handle.read(max(handle.size - _TAIL_BYTES, 0), min(handle.size, _TAIL_BYTES))
            if not handle.shrunk:
                self._counted.pop(key, None)
                self._counted[key] = _Counted(handle.size, newlines, tail)
                while len(self._counted) > _REMEMBERED_FILES:
                    self._counted.pop(next(iter(self._counted)))
        return newlines + (1 if tail and not tail.endswith(b"\n") else 0)


def _still_ends_with(handle: LogHandle, known: _Counted) -> bool:
    """Whether the bytes that ended the file when it was counted are still there."""
    return handle.read(known.size - len(known.tail), len(known.tail)) == known.tail


def _newlines(handle: LogHandle, start: int) -> int:
    count = 0
    for offset in range(start, handle.size, FORWARD_CHUNK):
        count += handle.read(offset, min(FORWARD_CHUNK, handle.size - offset)).count(b"\n")
        if handle.shrunk:
            break
    return count
