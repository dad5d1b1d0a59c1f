"""The hot path: which entries of a chunk match a query, touching as few lines as possible.

A chunk holds the shown text of whole entries (redacted, long lines cut: see shown.py), so
every decision here is made on what the user may see. Instead of parsing every line, the scanner jumps
with ``bytes.find`` / RE2 to lines that can matter and parses only those:

* by level: a header of level L spells L in its level field, between delimiters (``[ERROR]``,
  `` - ERROR - ``, ``"level": "error"``), so only lines with such a spelling are looked at
  (not "TimeoutError", not "an error in"): they are few, and each costs one header parse;
* by text: only lines holding the search are looked at, and their entry's header is found by
  walking back over its continuation lines.

With both, the rarer of the two (measured on the first chunk) leads.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from bot.logs.budget import Deadline
from bot.logs.entry import Level
from bot.logs.parse import header_level, is_header, starts_with_timestamp
from bot.logs.query import LogQuery
from bot.logs.reader import Chunk


class ChunkScanner:
    """Finds the matching entries of chunk after chunk for one query (one scanner per scan)."""

    def __init__(self, query: LogQuery, deadline: Deadline | None = None) -> None:
        self.query = query
        self._deadline = deadline
        self._text_leads: bool | None = None

    def starts(self, chunk: Chunk) -> list[int]:
        """Where each matching entry starts (indexes into ``chunk.data``), in file order.

        Raises OutOfTime when the deadline passes before the chunk is done: its matches are unknown.
        """
        query = self.query
        if query.is_everything:
            return entry_starts(chunk)
        # Level spellings and plain text are found in a lower-cased copy: case-insensitive at C speed.
        needs_lowered = query.level is not None or query.matcher.needle is not None
        lowered = chunk.data.lower() if needs_lowered else b""
        if query.matcher is not None and self._led_by_text(chunk, lowered):
            return self._by_text(chunk, lowered)
        return self._by_level(chunk, lowered)

    def _led_by_text(self, chunk: Chunk, lowered: bytes) -> bool:
        if self.query.level is None:
            return True
        if self._text_leads is None:
            needle = self.query.matcher.needle
            # A regular expression costs more per candidate than a level check: the level leads.
            self._text_leads = needle is not None and lowered.count(needle, chunk.start, chunk.end) < sum(
                lowered.count(spelling, chunk.start, chunk.end)
                for spelling in _tokens(self.query.level_spellings)
            )
        return self._text_leads

    def _by_level(self, chunk: Chunk, lowered: bytes) -> list[int]:
        data, limit = chunk.data, chunk.end
        wanted = self.query.level
        searched = self.query.matcher is not None
        needle = self.query.matcher.needle if searched else None
        starts = []
        seen_until = -1
        for pos, after in _level_fields(lowered, self.query.level_spellings, chunk.start, limit):
            self._on_time()
            if pos < seen_until:
                continue  # another spelling on a line already looked at
            line = data.rfind(b"\n", 0, pos) + 1
            line_end = seen_until = _line_end(data, pos, limit)
            if not _is_level_field(data, line, pos, after, wanted):
                continue  # the level's name in a message or a traceback
            if not searched:
                starts.append(line)
            elif (needle is None or lowered.find(needle, line, line_end) != -1) and self._any_line_matches(
                chunk, lowered, line, line_end
            ):
                starts.append(line)
            elif line_end + 1 < limit and not is_header(data, line_end + 1):  # it has a traceback
                if self._any_line_matches(chunk, lowered, line_end + 1, entry_end(data, line_end, limit)):
                    starts.append(line)
        return starts

    def _by_text(self, chunk: Chunk, lowered: bytes) -> list[int]:
        data, limit = chunk.data, chunk.end
        wanted = self.query.level
        find = self.query.matcher.find
        starts = []
        pos = find(data, lowered, chunk.start, limit)
        while pos != -1:
            self._on_time()
            line = data.rfind(b"\n", 0, pos) + 1
            start, level = _entry_start(data, line, chunk.start)
            end = entry_end(data, _line_end(data, pos, limit), limit)
            if (wanted is None or level is wanted) and self._any_line_matches(chunk, lowered, line, end):
                starts.append(start)
            pos = find(data, lowered, end, limit) if end < limit else -1
        return starts

    def _on_time(self) -> None:
        # Between two RE2 calls: one call sees at most one window (query.py), so the stop is prompt.
        if self._deadline is not None:
            self._deadline.check()

    def _any_line_matches(self, chunk: Chunk, lowered: bytes, start: int, end: int) -> bool:
        """Whether a line in data[start:end] matches the search."""
        data = chunk.data
        matcher = self.query.matcher
        pos = matcher.find(data, lowered, start, end) if start < end else -1
        while pos != -1:
            self._on_time()
            line = data.rfind(b"\n", 0, pos) + 1
            line_end = _line_end(data, pos, end)
            if matcher.matches(data[line:line_end]):
                return True
            if line_end + 1 >= end:
                return False
            pos = matcher.find(data, lowered, line_end + 1, end)
        return False


def entry_end(data: bytes, line_end: int, limit: int) -> int:
    """Where the entry whose line ends at ``line_end`` ends: the next header, or ``limit``."""
    line = line_end + 1
    while line < limit:
        if is_header(data, line):
            return line
        line = _line_end(data, line, limit) + 1
    return limit


def entry_bytes(chunk: Chunk, start: int) -> bytes:
    """The whole entry starting at ``start`` in the chunk."""
    end = entry_end(chunk.data, _line_end(chunk.data, start, chunk.end), chunk.end)
    return chunk.data[start:end]


def entry_starts(chunk: Chunk) -> list[int]:
    """Where every entry of the chunk starts."""
    data, limit = chunk.data, chunk.end
    starts = [chunk.start] if chunk.start < limit else []
    line = _line_end(data, chunk.start, limit) + 1
    while line < limit:
        if is_header(data, line):
            starts.append(line)
        line = _line_end(data, line, limit) + 1
    return starts


_BEFORE_LEVEL = frozenset(b'[ "')
_AFTER_LEVEL = frozenset(b'] "')


def _tokens(spellings: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The spellings to search for: those that no shorter one is the start of (warn covers warning)."""
    return tuple(s for s in spellings if not any(o != s and s.startswith(o) for o in spellings))


def _level_fields(
    lowered: bytes, spellings: tuple[bytes, ...], start: int, end: int
) -> Iterator[tuple[int, int]]:
    """(start, end) of each spelling standing between level-field delimiters, in order."""
    streams = [_token_fields(lowered, token, spellings, start, end) for token in _tokens(spellings)]
    return streams[0] if len(streams) == 1 else heapq.merge(*streams)


def _token_fields(
    lowered: bytes, token: bytes, spellings: tuple[bytes, ...], start: int, end: int
) -> Iterator[tuple[int, int]]:
    longer = [s for s in spellings if s.startswith(token)]
    pos = lowered.find(token, start, end)
    while pos != -1:
        if pos > start and lowered[pos - 1] in _BEFORE_LEVEL:
            for spelling in longer:
                after = pos + len(spelling)
                if after < end and lowered[after] in _AFTER_LEVEL and lowered.startswith(spelling, pos):
                    yield pos, after
                    break
        pos = lowered.find(token, pos + len(token), end)


def _is_level_field(data: bytes, line: int, pos: int, after: int, wanted: Level) -> bool:
    """Whether the spelling at data[pos:after] is the level field of a header starting at ``line``."""
    # Today's format without fractions, "2026-11-28 22:59:00 [ERROR]": decided without a regex.
    if (
        pos == line + 21 and data[after] == 93 and data[line + 19] == 32 and data[line + 20] == 91
    ):  # " [", "]"
        return starts_with_timestamp(data, line)
    return header_level(data, line) is wanted


def _line_end(data: bytes, pos: int, limit: int) -> int:
    """The index of the newline ending the line around ``pos`` (or ``limit``)."""
    end = data.find(b"\n", pos, limit)
    return limit if end == -1 else end


def _entry_start(data: bytes, line: int, floor: int) -> tuple[int, Level]:
    """Where the entry holding the line at ``line`` starts, and its level."""
    while True:
        level = header_level(data, line)
        if level is not None:
            return line, level
        if line <= floor:
            return floor, Level.UNKNOWN  # lines before any header
        line = data.rfind(b"\n", 0, line - 1) + 1
