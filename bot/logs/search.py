"""The newest N matching entries (read from the end, stopping early) and the full count of matches.

Both are blocking scans: callers run them in a thread (see aphrodite_log.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.logs.entry import LogEntry
from bot.logs.parse import build_entry
from bot.logs.query import LogQuery
from bot.logs.reader import BACKWARD_CHUNK, FORWARD_CHUNK, LogHandle, chunks_backward, chunks_forward
from bot.logs.scan import ChunkScanner, entry_bytes
from bot.redact import Redactor

# However many entries were asked for, a view stops collecting past this much text: a log of
# huge tracebacks must not fill the bot's memory for a page nobody can read.
TEXT_BUDGET = 4_000_000


@dataclass(frozen=True)
class SearchResult:
    """The newest matches, oldest first; ``reached_start`` when no older match exists."""

    entries: tuple[LogEntry, ...]
    reached_start: bool
    scanned_bytes: int
    interrupted: bool


@dataclass(frozen=True)
class MatchCount:
    """How many entries match in the whole file."""

    matching: int
    scanned_bytes: int
    interrupted: bool


def newest_matching(
    handle: LogHandle, query: LogQuery, redactor: Redactor, limit: int, chunk_size: int = BACKWARD_CHUNK
) -> SearchResult:
    """Up to ``limit`` of the newest entries matching ``query`` (fewer past TEXT_BUDGET), from the end."""
    matches = _NewestFirst(handle, ChunkScanner(query, redactor), redactor, chunk_size)
    newest_first: list[LogEntry] = []
    text = 0
    reached_start = True
    for entry in matches:
        newest_first.append(entry)
        text += len(entry.text)
        if len(newest_first) >= limit or text >= TEXT_BUDGET:
            reached_start = False
            break
    return SearchResult(
        entries=tuple(reversed(newest_first)),
        reached_start=reached_start and not handle.shrunk,
        scanned_bytes=matches.scanned_bytes,
        interrupted=handle.shrunk,
    )


class _NewestFirst:
    """The matching entries from the end of the file backwards, counting the bytes looked at."""

    def __init__(self, handle: LogHandle, scanner: ChunkScanner, redactor: Redactor, chunk_size: int) -> None:
        self._handle = handle
        self._scanner = scanner
        self._redactor = redactor
        self._chunk_size = chunk_size
        self.scanned_bytes = 0

    def __iter__(self) -> Iterator[LogEntry]:
        for chunk in chunks_backward(self._handle, chunk_size=self._chunk_size):
            self.scanned_bytes += chunk.end - chunk.start
            for start in reversed(self._scanner.starts(chunk)):
                yield build_entry(entry_bytes(chunk, start), chunk.offset + start, self._redactor)


def count_matching(
    handle: LogHandle, query: LogQuery, redactor: Redactor, chunk_size: int = FORWARD_CHUNK
) -> MatchCount:
    """How many entries of the whole file match ``query``."""
    scanner = ChunkScanner(query, redactor)
    matching = scanned = 0
    for chunk in chunks_forward(handle, chunk_size=chunk_size):
        scanned += chunk.end - chunk.start
        matching += len(scanner.starts(chunk))
    return MatchCount(matching=matching, scanned_bytes=scanned, interrupted=handle.shrunk)
