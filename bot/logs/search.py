"""The newest N matching entries (read from the end, stopping early) and the full count of matches.

Both are blocking scans: callers run them on a log thread (see aphrodite_log.py). Both look
only at the log as shown (see shown.py) and stop, saying so, when their deadline passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.logs.budget import Deadline, OutOfTime
from bot.logs.chunk import Chunk
from bot.logs.entry import LogEntry
from bot.logs.framing import entry_bytes
from bot.logs.lines import lines_in
from bot.logs.parse import build_entry
from bot.logs.query import LogQuery
from bot.logs.reader import BACKWARD_CHUNK, FORWARD_CHUNK, LogHandle, chunks_backward, chunks_forward
from bot.logs.scan import ChunkScanner
from bot.logs.searchable import searchable
from bot.logs.shown import show
from bot.redact import Redactor

# However many entries were asked for, a view stops collecting past this much text: a log of
# huge tracebacks must not fill the bot's memory for a page nobody can read.
TEXT_BUDGET = 4_000_000


@dataclass(frozen=True)
class SearchResult:
    """The newest matches, oldest first; ``reached_start`` when no older match exists.

    ``stopped_early``: the deadline passed after ``scanned_bytes`` of the file were searched,
    which hold ``lines_seen`` lines (all of them when ``reached_start``).
    """

    entries: tuple[LogEntry, ...]
    reached_start: bool
    scanned_bytes: int
    lines_seen: int
    interrupted: bool
    stopped_early: bool = False


@dataclass(frozen=True)
class MatchCount:
    """How many entries match in the whole file (in its first ``scanned_bytes`` when stopped early)."""

    matching: int
    scanned_bytes: int
    interrupted: bool
    stopped_early: bool = False


def newest_matching(
    handle: LogHandle,
    query: LogQuery,
    redactor: Redactor,
    limit: int,
    deadline: Deadline | None = None,
    chunk_size: int = BACKWARD_CHUNK,
) -> SearchResult:
    """Up to ``limit`` of the newest entries matching ``query`` (fewer past TEXT_BUDGET), from the end."""
    scanner = ChunkScanner(query, deadline)
    matches = _NewestFirst(handle, scanner, redactor, deadline, query.chunk_size(chunk_size))
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
        reached_start=reached_start and not handle.shrunk and not matches.stopped_early,
        scanned_bytes=matches.scanned_bytes,
        lines_seen=matches.lines_seen,
        interrupted=handle.shrunk,
        stopped_early=matches.stopped_early,
    )


class _NewestFirst:
    """The matching entries from the end of the file backwards, counting the bytes looked at."""

    def __init__(
        self,
        handle: LogHandle,
        scanner: ChunkScanner,
        redactor: Redactor,
        deadline: Deadline | None,
        chunk_size: int,
    ) -> None:
        self._handle = handle
        self._scanner = scanner
        self._redactor = redactor
        self._deadline = deadline
        self._chunk_size = chunk_size
        self.scanned_bytes = 0
        self.lines_seen = 0
        self.stopped_early = False

    def __iter__(self) -> Iterator[LogEntry]:
        for raw in chunks_backward(self._handle, chunk_size=self._chunk_size):
            try:
                if self._deadline is not None:
                    self._deadline.check()
                found = matching_entries(raw, self._scanner, self._redactor)
            except OutOfTime:
                self.stopped_early = True
                return
            self.scanned_bytes += covered(raw)
            self.lines_seen += lines_in(raw)
            for offset, shown in reversed(found):
                yield build_entry(shown, offset)


def count_matching(
    handle: LogHandle,
    query: LogQuery,
    redactor: Redactor,
    deadline: Deadline | None = None,
    chunk_size: int = FORWARD_CHUNK,
) -> MatchCount:
    """How many entries of the whole file match ``query``."""
    scanner = ChunkScanner(query, deadline)
    matching = scanned = 0
    for raw in chunks_forward(handle, chunk_size=query.chunk_size(chunk_size)):
        try:
            if deadline is not None:
                deadline.check()
            if query.matcher is None:  # a level alone is decided on raw headers: see matching_entries
                found = scanner.count(raw)
            else:
                found = scanner.count(searchable(raw, redactor, query).chunk)
        except OutOfTime:
            return MatchCount(matching, scanned, handle.shrunk, stopped_early=True)
        matching += found
        scanned += covered(raw)
    return MatchCount(matching=matching, scanned_bytes=scanned, interrupted=handle.shrunk)


def matching_entries(raw: Chunk, scanner: ChunkScanner, redactor: Redactor) -> list[tuple[int, bytes]]:
    """(file offset, shown text) of each entry of ``raw`` that matches, in file order.

    A search is decided on the shown text only (see shown.py), or for plain text on what searches
    like it (searchable.py; the matching entries are then shown one by one). A level alone involves
    no text the user typed, so it is decided on the raw headers, and only the matching entries are
    redacted.
    """
    if scanner.query.matcher is None:
        return [(raw.offset + start, _shown_entry(raw, start, redactor)) for start in scanner.starts(raw)]
    searched = searchable(raw, redactor, scanner.query)
    starts = scanner.starts(searched.chunk)
    offsets = searched.file_offsets(starts)
    if searched.exact:
        shown = searched.chunk
        return [(offset, entry_bytes(shown, start)) for offset, start in zip(offsets, starts, strict=True)]
    return [(offset, _shown_entry(raw, offset - raw.offset, redactor)) for offset in offsets]


def _shown_entry(raw: Chunk, start: int, redactor: Redactor) -> bytes:
    entry = entry_bytes(raw, start)
    return show(Chunk(raw.offset + start, entry, 0, len(entry), raw.line_length), redactor).chunk.data


def covered(raw: Chunk) -> int:
    """How many bytes of the file a chunk stands for (a huge line's chunk holds only its head)."""
    return raw.end - raw.start if raw.line_length is None else raw.line_length
