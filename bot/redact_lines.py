"""Which lines of a log's bytes redaction may change: found in one pass in C, the rest left as they are.

The Redactor (redact.py) redacts only these lines as text; searchable.py splices their shown
text into the raw bytes. The pass looks for the redactor's trigger words and the known secrets'
line patterns (secret_forms.py), never for anything a user typed. A line reaches the next one
(both are redacted together) when it announces a credential there (``Authorization:`` and a
line break) or holds the start of a known secret that may be cut at its end.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import re2

from bot import pattern_set
from bot.secret_forms import SecretPatterns

Span = tuple[int, int]
# Lines to redact closer than this are redacted together (see _add_line).
NEARBY = 1024
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


def line_finder(
    triggers: tuple[str, ...], announcing: bytes, secrets: frozenset[str], known: tuple[SecretPatterns, ...]
) -> LineFinder | None:
    """What finds every trigger word (any case) and every known secret's line pattern, and the
    lines that reach the next one; None when a secret holds a line break, which line-by-line
    redaction could cut."""
    if any("\n" in secret for secret in secrets):
        return None
    reaching = b"|".join([announcing, *(p.continues for p in known if p.continues)])
    words = [pattern_set.caseless(trigger.encode()) for trigger in triggers]
    patterns = pattern_set.compiled([b"(?:" + b"|".join(words) + b")[^\\n]*$", b"(?:" + announcing + b")"])
    if patterns is not None:
        # The known secrets' patterns go to RE2 even here: Hyperscan (5.4) misses some matches of
        # their per-character alternatives (tests/test_redact.py finds such lines).
        secret_lines = re2.compile(b"|".join(p.line for p in known), _RE2_OPTIONS) if known else None
        starts = [p.continues for p in known if p.continues]
        cut_starts = re2.compile(b"(?m)(?:" + b"|".join(starts) + b")", _RE2_OPTIONS) if starts else None
        return _EveryLine(patterns, secret_lines, cut_starts)
    alternatives = [
        b"(?i:" + b"|".join(re2.escape(trigger.encode()) for trigger in triggers) + b")",
        *(b"(?:" + p.line + b")" for p in known),
    ]
    return _FirstMatchFrom(
        re2.compile(b"|".join(alternatives), _RE2_OPTIONS),
        re2.compile(b"(?m)(?:" + reaching + b")", _RE2_OPTIONS),
    )


class LineFinder(Protocol):
    def lines(self, data: bytes, nearby: int) -> list[Span]:
        """The lines to redact, those less than ``nearby`` bytes apart joined (see `_add_line`)."""

    def lines_holding(self, data: bytes, line_ends: Sequence[int], nearby: int) -> list[Span]:
        """Those of `lines` that hold one of the lines ending at ``line_ends`` (ascending)."""


class _EveryLine:
    """Hyperscan: the end of every line holding a match, and of every line reaching the next, in one pass."""

    def __init__(self, patterns: pattern_set.PatternSet, secret_lines: Any, cut_starts: Any) -> None:
        self._patterns = patterns
        self._secret_lines = secret_lines
        self._cut_starts = cut_starts

    def _line_ends(self, data: bytes) -> tuple[Sequence[int], Sequence[int]]:
        """Where the lines to redact end, and those that reach the next line, ascending."""
        ends, reaching = self._patterns.match_ends(data)
        if self._secret_lines is not None:
            more = {_end_of_line(data, match.end()) for match in self._secret_lines.finditer(data)}
            ends = array("i", sorted(more.union(ends))) if more else ends
        if self._cut_starts is not None:
            more = {match.end() for match in self._cut_starts.finditer(data)}  # each ends a line
            reaching = array("i", sorted(more.union(reaching))) if more else reaching
        return ends, reaching

    def lines(self, data: bytes, nearby: int) -> list[Span]:
        found: list[Span] = []
        covered = -1
        ends, reaching = self._line_ends(data)

        def reaches(line: int, end: int) -> bool:
            return _holds(reaching, end)

        for end in ends:
            if end > covered:  # not a line an earlier one already took in
                covered = _add_line(found, _line_span(data, end, reaches), nearby)
        return found

    def lines_holding(self, data: bytes, line_ends: Sequence[int], nearby: int) -> list[Span]:
        # From each given line: back over the lines that reach it, on over those it reaches.
        found: list[Span] = []
        covered = -1
        ends, reaching = self._line_ends(data)
        for end in line_ends:
            if end <= covered:
                continue
            start = first = data.rfind(b"\n", 0, end) + 1
            while first > 0 and _holds(reaching, first - 1):  # the line before reaches this one
                first = data.rfind(b"\n", 0, first - 1) + 1
            if first == start and not _holds(ends, end):
                continue  # a line redaction leaves alone
            stop = end
            while stop < len(data) and _holds(reaching, stop):
                after = data.find(b"\n", stop + 1)
                stop = len(data) if after == -1 else after
            covered = _add_line(found, (first, stop), nearby)
        return found


class _FirstMatchFrom:
    """RE2, where Hyperscan is not installed: the next match from the end of the last line taken."""

    def __init__(self, pattern: Any, reaching: Any) -> None:
        self._pattern = pattern
        self._reaching = reaching

    def lines(self, data: bytes, nearby: int) -> list[Span]:
        found: list[Span] = []

        def reaches(line: int, end: int) -> bool:
            return self._reaching.search(data, line, end) is not None

        match = self._pattern.search(data)
        while match:
            end = _add_line(found, _line_span(data, match.end(), reaches), nearby)
            match = self._pattern.search(data, end) if end < len(data) else None
        return found

    def lines_holding(self, data: bytes, line_ends: Sequence[int], nearby: int) -> list[Span]:
        found: list[Span] = []
        for start, stop in self.lines(data, 0):
            at = bisect_left(line_ends, start)
            if at < len(line_ends) and line_ends[at] <= stop:
                _add_line(found, (start, stop), nearby)
        return found


def _end_of_line(data: bytes, pos: int) -> int:
    end = data.find(b"\n", pos)
    return len(data) if end == -1 else end


def _holds(ascending: Sequence[int], value: int) -> bool:
    at = bisect_left(ascending, value)
    return at < len(ascending) and ascending[at] == value


def _add_line(lines: list[Span], span: Span, nearby: int) -> int:
    """Add the span of whole lines to ``lines``, joined to the last one when it starts less than
    ``nearby`` bytes past its end; its end. Redacting the lines between too changes nothing (every
    pattern needs a trigger word on the line it masks, or on the line before when it reaches this
    one), and a log with a trigger word on every other line keeps a few spans, redacted a piece
    at a time, not one per line."""
    if lines and span[0] < lines[-1][1] + nearby:
        lines[-1] = (lines[-1][0], span[1])
    else:
        lines.append(span)
    return span[1]


def _line_span(data: bytes, after: int, reaches: Callable[[int, int], bool]) -> Span:
    """The line holding the match ending at ``after`` (or the line ending there), with the lines
    it reaches (``reaches(start, end)`` of a line): those an Authorization announces, the rest of
    a secret cut at a line end."""
    start = data.rfind(b"\n", 0, after - 1) + 1
    end = data.find(b"\n", after - 1)
    line = start
    while end != -1 and reaches(line, end):  # that line may go on on the next
        line, end = end + 1, data.find(b"\n", end + 1)
    return (start, len(data) if end == -1 else end)
