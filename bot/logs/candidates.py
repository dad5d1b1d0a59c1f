"""The lines of a chunk that can matter to a query, found in one pass in C.

The third step of a search (see the package's docstring): scan.py decides on these lines alone.

* ``needle_lines``: where each line holding the plain search text ends;
* ``level_fields``: (start, end) of each spelling of the wanted level that stands between
  level-field delimiters (``[ERROR]``, `` - ERROR - ``, ``"level": "error"``), not "TimeoutError";
* for a count by text, ``repeats``: where each needle line ends that follows another one with no
  timestamp header line between them. Only these can be a second match within one entry, so
  the count decides on them alone (a JSON line between may still be a header: framing.py says);
* for a count by level and text, ``level_needle_lines``: where each needle line ends that is
  a level field's line, or follows one with no timestamp header line between. Every matching
  entry holds one; scan.py walks back from each to its header.

Hyperscan finds them all in one pass (bot/pattern_set.py). Where it is not installed, Python
finds the first and the last in a lower-cased copy with ``bytes.find``, and ``repeats`` is None.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot import pattern_set
from bot.logs.framing import NOT_TIMESTAMP_LINE, not_timestamp_line_holding
from bot.logs.reader import Chunk

_BEFORE_LEVEL = b'[ "'
_AFTER_LEVEL = b'] "'
_REST_OF_LINE = rb"[^\n]*$"


@dataclass(frozen=True)
class Candidates:
    """What one pass over a chunk found: indexes into ``chunk.data``, ascending.

    ``repeats`` and ``level_needle_lines`` are None when the pass did not look for them.
    """

    needle_lines: list[int]
    level_fields: list[tuple[int, int]]
    repeats: list[int] | None = None
    level_needle_lines: list[int] | None = None


class CandidateFinder:
    """Finds the candidates of chunk after chunk for one search text and one level."""

    def __init__(self, needle: bytes | None, spellings: tuple[bytes, ...], counting: bool = False) -> None:
        """``needle``: lower-cased ASCII text; ``spellings``: the level's, lower-cased; ``counting``:
        find what a count needs (``repeats``, or ``level_needle_lines`` with a level) where it can."""
        self._needle = needle
        self._spellings = spellings
        self._counting = counting and needle is not None and not _may_overlap(needle, spellings)
        self._patterns = _compiled(needle, spellings, self._counting)

    @property
    def counts(self) -> bool:
        """Whether `find` gives what a count needs: ``repeats``, or with a level ``level_needle_lines``."""
        return self._counting and self._patterns is not None

    def find(self, chunk: Chunk) -> Candidates:
        """The candidates of data[start:end]."""
        if self._patterns is None:
            return self._found_in_python(chunk)
        found = self._patterns.match_ends(memoryview(chunk.data)[chunk.start : chunk.end])
        if chunk.start:
            found = [[chunk.start + end for end in ends] for ends in found]
        if self._counting and self._spellings:
            return Candidates([], [], level_needle_lines=sorted(set(found[0] + found[1] + found[2])))
        if self._counting:
            return Candidates(found[0], [], repeats=found[1])
        needle_lines = found.pop(0) if self._needle is not None else []
        fields = [
            (end - 1 - len(spelling), end - 1)
            for spelling, ends in zip(self._spellings, found, strict=True)
            for end in ends
        ]
        return Candidates(needle_lines, sorted(fields))

    def _found_in_python(self, chunk: Chunk) -> Candidates:
        lowered = chunk.data.lower()
        needle_lines = (
            [m.end() for m in _rest_of_line(self._needle).finditer(lowered, chunk.start, chunk.end)]
            if self._needle is not None
            else []
        )
        return Candidates(needle_lines, list(_level_fields(lowered, self._spellings, chunk.start, chunk.end)))


@functools.lru_cache(maxsize=32)
def _compiled(
    needle: bytes | None, spellings: tuple[bytes, ...], counting: bool
) -> pattern_set.PatternSet | None:
    """For a count: by text, the needle's lines and their repeats; by level and text, three
    patterns whose matches together are the level-needle lines. Otherwise the needle's lines
    and one pattern per level spelling."""
    text = pattern_set.caseless(needle) if needle is not None else b""
    field = b"(?:" + b"|".join(_field(spelling) for spelling in spellings) + b")"
    following = rb"[^\n]*\n(?:" + NOT_TIMESTAMP_LINE + rb"\n)*" + not_timestamp_line_holding(text)
    if counting and spellings:
        return pattern_set.compiled(
            [field + rb"[^\n]*" + text + _REST_OF_LINE, text + rb"[^\n]*" + field + _REST_OF_LINE,
             field + following + _REST_OF_LINE]
        )  # fmt: skip
    if counting:
        return pattern_set.compiled([text + _REST_OF_LINE, text + following + _REST_OF_LINE])
    needle_lines = [text + _REST_OF_LINE] if needle is not None else []
    return pattern_set.compiled(needle_lines + [_field(spelling) for spelling in spellings])


def clear_compiled() -> None:
    """Forget the compiled patterns (tests switch Hyperscan off and on)."""
    _compiled.cache_clear()


def _field(spelling: bytes) -> bytes:
    """A level spelling between level-field delimiters."""
    before, after = (b"[" + pattern_set.escaped(chars) + b"]" for chars in (_BEFORE_LEVEL, _AFTER_LEVEL))
    return before + pattern_set.caseless(spelling) + after


def _may_overlap(needle: bytes, spellings: tuple[bytes, ...]) -> bool:
    """Whether the needle and a level field can share characters on a line (then a line holding
    both need not hold the field, then the needle, or the other way round)."""
    fields = [
        bytes((before,)) + s + bytes((after,))
        for s in spellings
        for before in _BEFORE_LEVEL
        for after in _AFTER_LEVEL
    ]
    return any(
        needle in field
        or field in needle
        or any(needle.endswith(field[:k]) or field.endswith(needle[:k]) for k in range(1, len(field)))
        for field in fields
    )


@functools.cache
def _rest_of_line(needle: bytes) -> re.Pattern[bytes]:
    """The needle and the rest of its line: one match per line holding it."""
    return re.compile(re.escape(needle) + rb"[^\n]*")


def _tokens(spellings: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The spellings to search for: those that no shorter one is the start of (warn covers warning)."""
    return tuple(s for s in spellings if not any(o != s and s.startswith(o) for o in spellings))


def _level_fields(
    lowered: bytes, spellings: tuple[bytes, ...], start: int, end: int
) -> Iterator[tuple[int, int]]:
    """(start, end) of each spelling standing between level-field delimiters, in order."""
    streams = [_token_fields(lowered, token, spellings, start, end) for token in _tokens(spellings)]
    return heapq.merge(*streams)


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
