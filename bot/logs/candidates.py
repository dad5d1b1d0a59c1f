"""The lines of a chunk that can matter to a query, found in one pass in C.

The third step of a search (see the package's docstring): scan.py decides on these lines alone.

* ``needle_lines``: where each line holding the plain search text ends;
* ``level_lines``: where each line ends that holds a spelling of the wanted level between
  level-field delimiters (``[ERROR]``, `` - ERROR - ``, ``"level": "error"``: every format's in
  formats.py), not "TimeoutError";
* for a count by text, ``repeats``: where each needle line ends that follows another one with no
  timestamp header line between them. Only these can be a second match within one entry, so
  the count decides on them alone (a JSON line between may still be a header: framing.py says);
* for a count by level and text, ``level_needle_lines``: where each needle line ends that is
  a level field's line, or follows one with no timestamp header line between. Every matching
  entry holds one; scan.py walks back from each to its header.

Each is found once per line, however often the line holds it, and kept in a compact array: a
hostile log with a match on every line costs four bytes per line. Hyperscan finds them all in one
pass (bot/pattern_set.py). Where it is not installed, Python finds the first two in a lower-cased
copy with ``bytes.find``, and the others are None.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot import pattern_set
from bot.logs.chunk import Chunk
from bot.logs.formats import AFTER_LEVEL, BEFORE_LEVEL
from bot.logs.framing import NOT_TIMESTAMP_LINE, not_timestamp_line_holding

_REST_OF_LINE = rb"[^\n]*$"


@dataclass(frozen=True)
class Candidates:
    """What one pass over a chunk found: indexes into ``chunk.data`` where lines end, ascending.

    ``repeats`` and ``level_needle_lines`` are None when the pass did not look for them.
    """

    needle_lines: Sequence[int]
    level_lines: Sequence[int]
    repeats: Sequence[int] | None = None
    level_needle_lines: Sequence[int] | None = None


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
        found = self._patterns.match_ends(memoryview(chunk.data)[chunk.start : chunk.end], chunk.start)
        if self._counting and self._spellings:
            return Candidates((), (), level_needle_lines=found[0])
        if self._counting:
            return Candidates(found[0], (), repeats=found[1])
        if self._needle is None:
            return Candidates((), found[0])
        return Candidates(found[0], found[1] if self._spellings else ())

    def _found_in_python(self, chunk: Chunk) -> Candidates:
        lowered = chunk.data.lower()
        needle_lines = (
            array(
                "i", (m.end() for m in _rest_of_line(self._needle).finditer(lowered, chunk.start, chunk.end))
            )
            if self._needle is not None
            else ()
        )
        return Candidates(needle_lines, _level_lines(lowered, self._spellings, chunk.start, chunk.end))


@functools.lru_cache(maxsize=32)
def _compiled(
    needle: bytes | None, spellings: tuple[bytes, ...], counting: bool
) -> pattern_set.PatternSet | None:
    """`_patterns` compiled; None where Hyperscan is not installed or cannot take them."""
    try:
        return pattern_set.compiled(_patterns(needle, spellings, counting))
    except ValueError:
        return None


def _patterns(needle: bytes | None, spellings: tuple[bytes, ...], counting: bool) -> list[bytes]:
    """The patterns of `CandidateFinder.find`, in its order; each matches once per line, at its end."""
    text = pattern_set.caseless(needle) if needle is not None else b""
    field = b"(?:" + b"|".join(_field(spelling) for spelling in spellings) + b")"
    following = rb"[^\n]*\n(?:" + NOT_TIMESTAMP_LINE + rb"\n)*" + not_timestamp_line_holding(text)
    if counting and spellings:
        either_order = field + rb"[^\n]*" + text + b"|" + text + rb"[^\n]*" + field
        return [b"(?:" + either_order + b"|" + field + following + b")" + _REST_OF_LINE]
    if counting:
        return [text + _REST_OF_LINE, text + following + _REST_OF_LINE]
    needle_lines = [text + _REST_OF_LINE] if needle is not None else []
    level_lines = [field + _REST_OF_LINE] if spellings else []
    return needle_lines + level_lines


def clear_compiled() -> None:
    """Forget the compiled patterns (tests switch Hyperscan off and on)."""
    _compiled.cache_clear()


def _field(spelling: bytes) -> bytes:
    """A level spelling between level-field delimiters."""
    before, after = (b"[" + pattern_set.escaped(chars) + b"]" for chars in (BEFORE_LEVEL, AFTER_LEVEL))
    return before + pattern_set.caseless(spelling) + after


def _may_overlap(needle: bytes, spellings: tuple[bytes, ...]) -> bool:
    """Whether the needle and a level field can share characters on a line (then a line holding
    both need not hold the field, then the needle, or the other way round)."""
    fields = [
        bytes((before,)) + s + bytes((after,))
        for s in spellings
        for before in BEFORE_LEVEL
        for after in AFTER_LEVEL
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


def _level_lines(lowered: bytes, spellings: tuple[bytes, ...], start: int, end: int) -> array[int]:
    """Where each line holding a level field ends."""
    lines = array("i")
    for pos in sorted(
        pos for token in _tokens(spellings) for pos in _token_fields(lowered, token, spellings, start, end)
    ):
        line_end = lowered.find(b"\n", pos, end)
        line_end = end if line_end == -1 else line_end
        if not lines or lines[-1] != line_end:
            lines.append(line_end)
    return lines


def _tokens(spellings: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The spellings to search for: those that no shorter one is the start of (warn covers warning)."""
    return tuple(s for s in spellings if not any(o != s and s.startswith(o) for o in spellings))


def _token_fields(
    lowered: bytes, token: bytes, spellings: tuple[bytes, ...], start: int, end: int
) -> Iterator[int]:
    """Where the token starts a spelling standing between level-field delimiters."""
    longer = [s for s in spellings if s.startswith(token)]
    pos = lowered.find(token, start, end)
    while pos != -1:
        if pos > start and lowered[pos - 1] in BEFORE_LEVEL:
            for spelling in longer:
                after = pos + len(spelling)
                if after < end and lowered[after] in AFTER_LEVEL and lowered.startswith(spelling, pos):
                    yield pos
                    break
        pos = lowered.find(token, pos + len(token), end)
