"""A log's line total, computed only where it is shown and never twice for the same bytes.

Only `logs status` pays for a full count: a ``bytes.count(b"\\n")`` scan of the file in a thread
(bench/logs_bench.py measures it against ``wc -l``). A view or a count never scans the file for it:
they give the total when it is known (catching up with at most ``CATCH_UP_BYTES`` appended since);
otherwise a view gives a lower bound, "≥ N total lines" (the lines counted before, or those of the
chunks it read: `lines_in`), exact when its search reached the start of the file; a count none.

A total is remembered per file (device, inode) with the size it covered and a fingerprint of
the bytes just before that size; when the same file has only grown, which is how a log changes,
only the appended bytes are counted. A rotated or truncated file (another inode, a smaller size,
or different bytes at the old end) is counted again from the start. `saved` and `restore` carry
the totals across processes (AphroditeLog keeps them in the state store), so a one-shot
`logs status` of an unchanged or appended log costs a stat plus the appended bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bot.logs.chunk import Chunk
from bot.logs.reader import FORWARD_CHUNK, LogHandle

_TAIL_BYTES = 64
_REMEMBERED_FILES = 8
# A view catches up with this much appended text to give an exact total; past it, a lower bound.
CATCH_UP_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class LineTotal:
    """``lines`` in the file; when not ``exact``, at least that many."""

    lines: int
    exact: bool

    def describe(self) -> str:
        return f"{self.lines:,}" if self.exact else f"≥ {self.lines:,}"


@dataclass(frozen=True)
class _Counted:
    """What a count found: ``newlines`` in the first ``size`` bytes, which ended with ``tail``
    (the fingerprint of their last ``_TAIL_BYTES``: no log text is kept)."""

    device: int
    inode: int
    size: int
    newlines: int
    tail: str

    @classmethod
    def loaded(cls, record: object) -> _Counted | None:
        """The record as `saved` wrote it; None for anything else (the state file is untrusted)."""
        if not isinstance(record, Mapping) or set(record) != set(cls.__dataclass_fields__):
            return None
        counted = cls(record["device"], record["inode"], record["size"], record["newlines"], record["tail"])
        numbers = (counted.device, counted.inode, counted.size, counted.newlines)
        if not all(type(n) is int and n >= 0 for n in numbers) or not isinstance(counted.tail, str):
            return None
        return counted if counted.newlines <= counted.size else None


def lines_in(chunk: Chunk) -> int:
    """The lines a chunk of whole lines stands for (a last line without a newline counts too)."""
    if chunk.line_length is not None:
        return 1
    text = chunk.data
    newlines = text.count(b"\n", chunk.start, chunk.end)
    return newlines + (1 if chunk.end > chunk.start and text[chunk.end - 1] != 0x0A else 0)


class LineCounter:
    """Line totals of log files, updated incrementally as they grow; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counted: dict[tuple[int, int], _Counted] = {}

    def saved(self) -> list[dict[str, Any]]:
        """The totals as JSON-ready records, for `restore` in another process."""
        with self._lock:
            return [asdict(counted) for counted in self._counted.values()]

    def restore(self, records: object) -> None:
        """Take up totals `saved` gave (malformed records are ignored: those files are counted anew)."""
        loaded = [c for c in map(_Counted.loaded, records if isinstance(records, list) else []) if c]
        with self._lock:
            for counted in loaded[-_REMEMBERED_FILES:]:
                self._counted.setdefault((counted.device, counted.inode), counted)

    def count(self, handle: LogHandle) -> int:
        """Lines in the file as opened, counting only what was appended since the last count."""
        with self._lock:
            start, newlines = self._resume_point(handle)
            return self._kept_total(handle, newlines + _newlines(handle, start))

    def known(self, handle: LogHandle, catch_up: int = CATCH_UP_BYTES) -> LineTotal | None:
        """What is known of the file's total without reading more than ``catch_up`` bytes: exact
        when it was counted and at most that much was appended since, else the lines counted
        before (a lower bound); None when this file was never counted."""
        with self._lock:
            start, newlines = self._resume_point(handle)
            if handle.size - start <= catch_up:
                return LineTotal(self._kept_total(handle, newlines + _newlines(handle, start)), exact=True)
        return LineTotal(newlines, exact=False) if start else None

    def remember(self, handle: LogHandle, lines: int) -> None:
        """Keep ``lines``, the total a whole-file pass found, for the file as opened."""
        if handle.shrunk:
            return
        ends_without_newline = _tail(handle)[-1:] not in (b"\n", b"")
        with self._lock:
            self._kept_total(handle, lines - (1 if ends_without_newline else 0))

    def _resume_point(self, handle: LogHandle) -> tuple[int, int]:
        """(offset, newlines before it) to count from: the end of the last count, or the start."""
        known = self._counted.get((handle.state.device, handle.state.inode))
        if known and known.size <= handle.size and _still_ends_with(handle, known):
            return known.size, known.newlines
        return 0, 0

    def _kept_total(self, handle: LogHandle, newlines: int) -> int:
        """Remember ``newlines`` for the file as opened (unless it shrank); its total of lines."""
        device, inode = key = (handle.state.device, handle.state.inode)
        tail = _tail(handle)
        if not handle.shrunk:
            self._counted.pop(key, None)
            self._counted[key] = _Counted(device, inode, handle.size, newlines, _fingerprint(tail))
            while len(self._counted) > _REMEMBERED_FILES:
                self._counted.pop(next(iter(self._counted)))
        return newlines + (1 if tail and not tail.endswith(b"\n") else 0)


def _tail(handle: LogHandle, size: int | None = None) -> bytes:
    """The last ``_TAIL_BYTES`` of the file's first ``size`` bytes (all of it by default)."""
    end = handle.size if size is None else size
    return handle.read(max(end - _TAIL_BYTES, 0), min(end, _TAIL_BYTES))


def _fingerprint(tail: bytes) -> str:
    import hashlib  # here: a status of a missing log needs none

    return hashlib.blake2b(tail, digest_size=16).hexdigest()


def _still_ends_with(handle: LogHandle, known: _Counted) -> bool:
    """Whether the bytes that ended the file when it was counted are still there."""
    return _fingerprint(_tail(handle, known.size)) == known.tail


def _newlines(handle: LogHandle, start: int) -> int:
    count = 0
    for offset in range(start, handle.size, FORWARD_CHUNK):
        count += handle.read(offset, min(FORWARD_CHUNK, handle.size - offset)).count(b"\n")
        if handle.shrunk:
            break
    return count
