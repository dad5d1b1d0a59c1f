"""The hot path: which entries of a chunk match a query, touching as few lines as possible.

A chunk holds the shown text of whole entries (redacted, long lines cut: see shown.py), or for a
plain-text search the text that searches exactly like it (searchable.py), so every decision here
is made on what the user may see. Instead of parsing every line, the scanner takes the lines
that can matter, found in C (candidates.py), frames the entries around them (framing.py) and
parses only their headers (parse.py):

* by level: a header of level L spells L in its level field, so only such spellings are looked
  at (not "TimeoutError", not "an error in"): they are few, and each costs one header parse;
* by text: only lines holding the search are looked at, and their entry's header is found by
  walking back over its continuation lines;
* with both, the rarer of the two in the chunk leads;
* a count by text alone needs no header at all: every line holding the search is a matching
  entry, except a repeat within an entry, and only lines the C pass flags as possible repeats
  are looked at;
* a count by level and text looks only at the lines holding the search in an entry that spells
  the level (the C pass finds them): each costs a walk back to its header and one header parse.

A regular expression (or non-ASCII text) has no C pass: RE2 finds its lines (query.py).
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Sequence

from bot.logs.budget import Deadline
from bot.logs.candidates import CandidateFinder, Candidates
from bot.logs.chunk import Chunk
from bot.logs.entry import Level
from bot.logs.framing import (
    entry_end,
    entry_start,
    entry_starts,
    header_between,
    is_header,
    line_end,
    line_start,
    new_entry_start,
    starts_with_timestamp,
)
from bot.logs.parse import header_level
from bot.logs.query import LEVEL_SPELLINGS, LogQuery, TextMatcher

_LONGEST_SPELLING = max(len(s) for spellings in LEVEL_SPELLINGS.values() for s in spellings)


class ChunkScanner:
    """Finds the matching entries of chunk after chunk for one query (one scanner per scan)."""

    def __init__(self, query: LogQuery, deadline: Deadline | None = None) -> None:
        self.query = query
        self._deadline = deadline
        matcher = query.matcher
        self._needle = matcher.needle if matcher is not None else None
        self._finder = (
            CandidateFinder(self._needle, query.level_spellings)
            if self._needle is not None or query.level is not None
            else None
        )

    def starts(self, chunk: Chunk) -> list[int]:
        """Where each matching entry starts (indexes into ``chunk.data``), in file order.

        Raises OutOfTime when the deadline passes before the chunk is done: its matches are unknown.
        """
        level, matcher = self.query.level, self.query.matcher
        if matcher is not None and self._needle is None and level is None:
            return self._by_text(chunk, matcher)
        if self._finder is None:  # nothing asked for: every entry
            return entry_starts(chunk)
        found = self._finder.find(chunk)
        if level is None or (self._needle is not None and len(found.needle_lines) < len(found.level_lines)):
            return self._by_needle(chunk, found.needle_lines)
        return self._by_level(chunk, found, level, matcher)

    def count(self, chunk: Chunk) -> int:
        """How many entries of the chunk match: ``len(starts(chunk))``, with less work where it can."""
        if self._counter is not None:
            found = self._counter.find(chunk)
            if found.repeats is not None:
                return len(found.needle_lines) - self._repeats_within_entries(chunk, found)
            if found.level_needle_lines is not None:
                return self._entries_of_level(chunk, found.level_needle_lines)
        return len(self.starts(chunk))

    @functools.cached_property
    def _counter(self) -> CandidateFinder | None:
        """What finds a count's candidates, when they can be found in C (see candidates.py)."""
        if self._needle is None:
            return None
        finder = CandidateFinder(self._needle, self.query.level_spellings, counting=True)
        return finder if finder.counts else None

    def _entries_of_level(self, chunk: Chunk, level_needle_lines: Sequence[int]) -> int:
        """How many entries of the wanted level hold one of these lines."""
        data, wanted = chunk.data, self.query.level
        found, header, previous = 0, -1, -1
        for end in level_needle_lines:
            self._on_time()
            line = line_start(data, end)
            # The entry of the line before, unless a header stands between: each line is looked at once.
            if header < 0 or header_between(data, previous + 1, line + 1):
                header = entry_start(data, line, chunk.start)
                if header_level(data, header) is wanted:
                    found += 1
            previous = end
        return found

    def _repeats_within_entries(self, chunk: Chunk, found: Candidates) -> int:
        """How many of the needle lines continue an entry whose earlier line holds the needle too."""
        data, lines = chunk.data, found.needle_lines
        repeats = 0
        for end in found.repeats or ():
            self._on_time()
            line = line_start(data, end)
            if is_header(data, line):
                continue  # a new entry
            previous = lines[bisect_left(lines, line) - 1]  # the needle line before: same entry?
            if not header_between(data, previous + 1, line):
                repeats += 1
        return repeats

    def _by_level(
        self, chunk: Chunk, found: Candidates, wanted: Level, matcher: TextMatcher | None
    ) -> list[int]:
        data, spellings = chunk.data, self.query.level_spellings
        starts: list[int] = []
        for end in found.level_lines:
            self._on_time()
            line = data.rfind(b"\n", 0, end) + 1
            if not _is_level_header(data, line, wanted, spellings):
                continue  # the level's name in a message or a traceback
            if matcher is None or self._entry_matches(chunk, line, end, matcher, found.needle_lines):
                starts.append(line)
        return starts

    def _entry_matches(
        self, chunk: Chunk, line: int, end: int, matcher: TextMatcher, needle_lines: Sequence[int]
    ) -> bool:
        """Whether the entry whose header is data[line:end] holds a line matching the search."""
        data, limit = chunk.data, chunk.end
        if self._needle is not None:
            at = bisect_left(needle_lines, end)  # the first needle line not before the header's end
            if at == len(needle_lines):
                return False
            if needle_lines[at] == end:
                return True  # the header itself
            return not header_between(data, end + 1, line_start(data, needle_lines[at]) + 1)
        if self._any_line_matches(data, line, end, matcher):
            return True
        if end + 1 >= limit or is_header(data, end + 1):
            return False  # no continuation lines
        return self._any_line_matches(data, end + 1, entry_end(data, end, limit), matcher)

    def _by_needle(self, chunk: Chunk, needle_lines: Sequence[int]) -> list[int]:
        """The entries holding the needle lines: each line's entry, once."""
        data = chunk.data
        wanted = self.query.level
        starts: list[int] = []
        matched = -1  # where the last matching line starts
        for end in needle_lines:
            self._on_time()
            line = line_start(data, end)
            start = new_entry_start(data, line, chunk.start, matched)
            if start is not None and (wanted is None or header_level(data, start) is wanted):
                starts.append(start)
            matched = line
        return starts

    def _by_text(self, chunk: Chunk, matcher: TextMatcher) -> list[int]:
        """The entries holding a line that the regular expression matches."""
        data, limit = chunk.data, chunk.end
        starts = []
        pos = matcher.find(data, chunk.start, limit)
        while pos != -1:
            self._on_time()
            line = data.rfind(b"\n", 0, pos) + 1
            start = entry_start(data, line, chunk.start)
            end = entry_end(data, line_end(data, pos, limit), limit)
            if self._any_line_matches(data, line, end, matcher):
                starts.append(start)
            pos = matcher.find(data, end, limit) if end < limit else -1
        return starts

    def _on_time(self) -> None:
        # Between two RE2 calls: one call sees at most one window (query.py), so the stop is prompt.
        if self._deadline is not None:
            self._deadline.check()

    def _any_line_matches(self, data: bytes, start: int, end: int, matcher: TextMatcher) -> bool:
        """Whether a line in data[start:end] matches the regular expression."""
        pos = matcher.find(data, start, end) if start < end else -1
        while pos != -1:
            self._on_time()
            line = data.rfind(b"\n", 0, pos) + 1
            end_of_line = line_end(data, pos, end)
            if matcher.matches(data[line:end_of_line]):
                return True
            if end_of_line + 1 >= end:
                return False
            pos = matcher.find(data, end_of_line + 1, end)
        return False


def _is_level_header(data: bytes, line: int, wanted: Level, spellings: tuple[bytes, ...]) -> bool:
    """Whether the line starting at ``line`` is a header of the wanted level."""
    # Today's format without fractions, "2026-11-28 22:59:00 [ERROR]": decided without a regex.
    if data[line + 19 : line + 21] == b" [":
        close = data.find(b"]", line + 21, line + 22 + _LONGEST_SPELLING)
        if close != -1 and data[line + 21 : close].lower() in spellings:
            return starts_with_timestamp(data, line)
    return header_level(data, line) is wanted
