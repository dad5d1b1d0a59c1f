"""The hot path: which entries of a chunk match a query, touching as few lines as possible.

A chunk holds the shown text of whole entries (redacted, long lines cut: see shown.py), or for a
plain-text count the text that searches exactly like it (searchable.py), so every decision here is
made on what the user may see. Instead of parsing every line, the scanner jumps
with ``bytes.find`` / RE2 to lines that can matter and parses only those:

* by level: a header of level L spells L in its level field, between delimiters (``[ERROR]``,
  `` - ERROR - ``, ``"level": "error"``), so only lines with such a spelling are looked at
  (not "TimeoutError", not "an error in"): they are few, and each costs one header parse;
* by text: only lines holding the search are looked at, and their entry's header is found by
  walking back over its continuation lines.

With both, the rarer of the two (measured on the first chunk) leads.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Iterator

from bot.logs.budget import Deadline
from bot.logs.entry import Level
from bot.logs.parse import (
    DIGITS_AS_ZERO,
    TIMESTAMP_SHAPES,
    header_level,
    is_header,
    starts_with_timestamp,
)
from bot.logs.query import LogQuery, TextMatcher
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
        level, matcher = self.query.level, self.query.matcher
        # Level spellings and plain text are found in a lower-cased copy: case-insensitive at C speed.
        needs_lowered = level is not None or (matcher is not None and matcher.needle is not None)
        lowered = chunk.data.lower() if needs_lowered else b""
        if matcher is not None and (level is None or self._led_by_text(chunk, lowered, matcher)):
            if matcher.needle is not None:
                return self._by_needle(chunk, lowered, matcher.needle)
            return self._by_text(chunk, lowered, matcher)
        if level is None:  # nothing asked for: every entry
            return entry_starts(chunk)
        return self._by_level(chunk, lowered, level, matcher)

    def _led_by_text(self, chunk: Chunk, lowered: bytes, matcher: TextMatcher) -> bool:
        if self._text_leads is None:
            needle = matcher.needle
            # A regular expression costs more per candidate than a level check: the level leads.
            self._text_leads = needle is not None and lowered.count(needle, chunk.start, chunk.end) < sum(
                lowered.count(spelling, chunk.start, chunk.end)
                for spelling in _tokens(self.query.level_spellings)
            )
        return self._text_leads

    def _by_level(
        self, chunk: Chunk, lowered: bytes, wanted: Level, matcher: TextMatcher | None
    ) -> list[int]:
        data, limit = chunk.data, chunk.end
        find, rfind = data.find, data.rfind
        starts: list[int] = []
        seen_until = -1
        for pos, after in _level_fields(lowered, self.query.level_spellings, chunk.start, limit):
            self._on_time()
            if pos < seen_until:
                continue  # another spelling on a line already looked at
            line = rfind(b"\n", 0, pos) + 1
            line_end = seen_until = find(b"\n", pos, limit)
            if line_end == -1:
                line_end = seen_until = limit
            if not _is_level_field(data, line, pos, after, wanted):
                continue  # the level's name in a message or a traceback
            if matcher is None or self._any_line_matches(chunk, lowered, line, line_end, matcher):
                starts.append(line)
            elif line_end + 1 < limit and not is_header(data, line_end + 1):  # it has a traceback
                end = entry_end(data, line_end, limit)
                if self._any_line_matches(chunk, lowered, line_end + 1, end, matcher):
                    starts.append(line)
        return starts

    def _by_needle(self, chunk: Chunk, lowered: bytes, needle: bytes) -> list[int]:
        """`_by_text` for plain text: a line holding the needle matches, so each match is looked at once.

        The hot loop of ``logs count --search``: one iteration per matching line, so the common case
        (the match is on a header line) is decided inline, without a function call.
        """
        data, limit = chunk.data, chunk.end
        wanted = self.query.level
        starts: list[int] = []
        rfind = data.rfind
        matched = -1  # where the last matching line starts
        # Each match runs to its line's end: the next search starts on the next line, all in C.
        for match in _rest_of_line(needle).finditer(lowered, chunk.start, limit):
            self._on_time()
            line = rfind(b"\n", 0, match.start()) + 1
            if data[line : line + 19].translate(DIGITS_AS_ZERO) in TIMESTAMP_SHAPES:
                start: int | None = line  # a header: `_new_entry` would say so (line > matched)
            else:
                start = _new_entry(data, line, chunk.start, matched)
            if start is not None and (wanted is None or header_level(data, start) is wanted):
                starts.append(start)
            matched = line
        return starts

    def _by_text(self, chunk: Chunk, lowered: bytes, matcher: TextMatcher) -> list[int]:
        data, limit = chunk.data, chunk.end
        wanted = self.query.level
        find = matcher.find
        starts = []
        pos = find(data, lowered, chunk.start, limit)
        while pos != -1:
            self._on_time()
            line = data.rfind(b"\n", 0, pos) + 1
            start, level = _entry_start(data, line, chunk.start)
            end = entry_end(data, _line_end(data, pos, limit), limit)
            if (wanted is None or level is wanted) and self._any_line_matches(
                chunk, lowered, line, end, matcher
            ):
                starts.append(start)
            pos = find(data, lowered, end, limit) if end < limit else -1
        return starts

    def _on_time(self) -> None:
        # Between two RE2 calls: one call sees at most one window (query.py), so the stop is prompt.
        if self._deadline is not None:
            self._deadline.check()

    def _any_line_matches(
        self, chunk: Chunk, lowered: bytes, start: int, end: int, matcher: TextMatcher
    ) -> bool:
        """Whether a line in data[start:end] matches the search."""
        if matcher.needle is not None:  # plain text: a line holding it matches
            return start < end and lowered.find(matcher.needle, start, end) != -1
        data = chunk.data
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


@functools.cache
def _rest_of_line(needle: bytes) -> re.Pattern[bytes]:
    """The needle and the rest of its line: one match per line holding it."""
    return re.compile(re.escape(needle) + rb"[^\n]*")


def entry_end(data: bytes, line_end: int, limit: int) -> int:
    """Where the entry whose line ends at ``line_end`` ends: the next header, or ``limit``."""
    pos = line_end
    while (candidate := _HEADER_CANDIDATE.search(data, pos, limit)) is not None:
        line = candidate.start() + 1
        if is_header(data, line):
            return line
        pos = line
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


# A line that may be a header (see parse.py), with the newline before it: the rest are skipped in C.
_HEADER_CANDIDATE = re.compile(rb"\n(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d|\{)")
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


def _new_entry(data: bytes, line: int, floor: int, earlier: int) -> int | None:
    """Where the entry holding the line at ``line`` starts; None when it also holds the line at
    ``earlier`` (-1: no such line). Walks back no further than ``earlier``."""
    at = line
    while True:
        if is_header(data, at):
            return at if at > earlier else None
        if at <= earlier:
            return None
        if at <= floor:
            return floor  # lines before any header: an entry of their own, of no level
        at = data.rfind(b"\n", 0, at - 1) + 1


def _entry_start(data: bytes, line: int, floor: int) -> tuple[int, Level]:
    """Where the entry holding the line at ``line`` starts, and its level."""
    while True:
        level = header_level(data, line)
        if level is not None:
            return line, level
        if line <= floor:
            return floor, Level.UNKNOWN  # lines before any header
        line = data.rfind(b"\n", 0, line - 1) + 1
