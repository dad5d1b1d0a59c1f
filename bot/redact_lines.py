"""Which lines of a log's bytes redaction may change: found in one pass in C, the rest left as they are.

The Redactor (redact.py) redacts only these lines as text; searchable.py splices their shown
text into the raw bytes. The pass looks for the redactor's trigger words and the known secrets'
line patterns (secret_forms.py), never for anything a user typed. A line reaches the next one
(both are redacted together) when it announces a credential there (``Authorization:`` and a
line break) or holds the start of a known secret that may be cut at its end.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any, Protocol

import re2

from bot import pattern_set
from bot.secret_forms import SecretPatterns

Span = tuple[int, int]
# Lines to redact closer than this are redacted together (see _add_line).
_NEARBY = 1024
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
    words = [pattern_set.caseless(trigger.encode()) for trigger in triggers] + [p.line for p in known]
    once_per_line = [b"(?:" + b"|".join(words) + b")[^\\n]*$", b"(?:" + reaching + b")[^\\n]*$"]
    try:
        patterns = pattern_set.compiled(once_per_line)
    except ValueError:  # more than Hyperscan takes (many long secrets): RE2 does it
        patterns = None
    if patterns is not None:
        return _EveryLine(patterns)
    alternatives = [
        b"(?i:" + b"|".join(re2.escape(trigger.encode()) for trigger in triggers) + b")",
        *(b"(?:" + p.line + b")" for p in known),
    ]
    return _FirstMatchFrom(
        re2.compile(b"|".join(alternatives), _RE2_OPTIONS), re2.compile(reaching, _RE2_OPTIONS)
    )


class LineFinder(Protocol):
    def lines(self, data: bytes) -> list[Span]: ...


class _EveryLine:
    """Hyperscan: the end of every line holding a match, and of every line reaching the next, in one pass."""

    def __init__(self, patterns: pattern_set.PatternSet) -> None:
        self._patterns = patterns

    def lines(self, data: bytes) -> list[Span]:
        found: list[Span] = []
        covered = -1
        ends, reaching = self._patterns.match_ends(data)

        def reaches(line: int, end: int) -> bool:
            at = bisect_left(reaching, end)
            return at < len(reaching) and reaching[at] == end

        for end in ends:
            if end > covered:  # not a line an earlier one already took in
                covered = _add_line(found, _line_span(data, end, reaches))
        return found


class _FirstMatchFrom:
    """RE2, where Hyperscan is not installed: the next match from the end of the last line taken."""

    def __init__(self, pattern: Any, reaching: Any) -> None:
        self._pattern = pattern
        self._reaching = reaching

    def lines(self, data: bytes) -> list[Span]:
        found: list[Span] = []

        def reaches(line: int, end: int) -> bool:
            return self._reaching.search(data, line, end) is not None

        match = self._pattern.search(data)
        while match:
            end = _add_line(found, _line_span(data, match.end(), reaches))
            match = self._pattern.search(data, end) if end < len(data) else None
        return found


def _add_line(lines: list[Span], span: Span) -> int:
    """Add the span of whole lines to ``lines``, joined to the last one when it starts within
    `_NEARBY` bytes of its end; its end. Redacting the lines between too changes nothing (every
    pattern needs a trigger word on the line it masks), and a log with a trigger word on every
    other line keeps a few spans, redacted a piece at a time, not one per line."""
    if lines and span[0] <= lines[-1][1] + _NEARBY:
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
