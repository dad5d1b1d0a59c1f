"""Where entries start and end: the one place that decides which lines are headers.

A line that starts with a timestamp (``YYYY-MM-DD HH:MM:SS``, or with a T) is a header; so is a
line starting with ``{`` that is a JSON object with a level or a message (the formats are a
table: formats.py). Every other line continues the entry above it; lines before the first header form an
entry of their own. The reader's chunks, the scanner and the exports all frame entries here.

`NOT_TIMESTAMP_LINE` says "a line that does not start with a timestamp" as a pattern, so that a
scan in C (candidates.py) can follow an entry's continuation lines without Python.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot import pattern_set
from bot.logs.chunk import Chunk
from bot.logs.formats import JSON_LEVEL_KEYS, JSON_MESSAGE_KEYS, TIMESTAMP, TIMESTAMP_SHAPES

DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
_TIMESTAMP_CHARS = len(next(iter(TIMESTAMP_SHAPES)))
_JSON_HEADER_KEYS = frozenset(JSON_LEVEL_KEYS + JSON_MESSAGE_KEYS)
# A line that may be a header, with the newline before it: the rest are skipped in C.
_HEADER_CANDIDATE = re.compile(rb"\n(?:" + TIMESTAMP.encode() + rb"|\{)")
_LINES_LOOKED_BACK = 64
_BLOCK = 64 * 1024


def starts_with_timestamp(data: bytes, pos: int) -> bool:
    """``YYYY-MM-DD HH:MM:SS`` (or with a T) at ``pos``."""
    return data[pos : pos + _TIMESTAMP_CHARS].translate(DIGITS_AS_ZERO) in TIMESTAMP_SHAPES


def is_header(data: bytes, pos: int) -> bool:
    """Whether the line starting at ``pos`` is a header."""
    if starts_with_timestamp(data, pos):
        return True
    return data.startswith(b"{", pos) and json_record(line_at(data, pos)) is not None


def json_record(line: bytes) -> dict[str, Any] | None:
    """The JSON header record on ``line``; None when the line is no JSON header."""
    # Decoded as shown text is (invalid UTF-8 as U+FFFD): raw and shown lines are headers alike.
    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
    except ValueError:
        return None
    if isinstance(record, dict) and not _JSON_HEADER_KEYS.isdisjoint(record):
        return record
    return None


def line_at(data: bytes, pos: int) -> bytes:
    """The line starting at ``pos``, without its newline."""
    end = data.find(b"\n", pos)
    return data[pos : end if end != -1 else len(data)]


def line_end(data: bytes, pos: int, limit: int) -> int:
    """The index of the newline ending the line around ``pos`` (or ``limit``)."""
    end = data.find(b"\n", pos, limit)
    return limit if end == -1 else end


def line_start(data: bytes, pos: int) -> int:
    """Where the line holding ``pos`` starts."""
    return data.rfind(b"\n", 0, pos) + 1


def entry_end(data: bytes, line_end: int, limit: int) -> int:
    """Where the entry whose line ends at ``line_end`` ends: the next header, or ``limit``."""
    pos = line_end
    while (candidate := _HEADER_CANDIDATE.search(data, pos, limit)) is not None:
        line = candidate.start() + 1
        if is_header(data, line):
            return line
        pos = line
    return limit


def header_between(data: bytes, first: int, stop: int) -> bool:
    """Whether a header line starts in data[first:stop] (``first`` being a line's start)."""
    if first >= stop:
        return False
    if is_header(data, first):
        return True
    # A header starting before ``stop`` is a candidate ending within a timestamp's length past it.
    return entry_end(data, first, min(len(data), stop + _TIMESTAMP_CHARS)) < stop


def entry_start(data: bytes, line: int, floor: int) -> int:
    """Where the entry holding the line at ``line`` starts, looking back no further than ``floor``."""
    while not is_header(data, line):
        if line <= floor:
            return floor  # lines before any header: an entry of their own
        line = data.rfind(b"\n", 0, line - 1) + 1
    return line


def new_entry_start(data: bytes, line: int, floor: int, earlier: int) -> int | None:
    """Where the entry holding the line at ``line`` starts; None when it also holds the line at
    ``earlier`` (-1: no such line). Walks back no further than ``earlier``."""
    at = line
    while True:
        if is_header(data, at):
            return at if at > earlier else None
        if at <= earlier:
            return None
        if at <= floor:
            return floor  # lines before any header: an entry of their own
        at = data.rfind(b"\n", 0, at - 1) + 1


def entry_bytes(chunk: Chunk, start: int) -> bytes:
    """The whole entry starting at ``start`` in the chunk."""
    end = entry_end(chunk.data, line_end(chunk.data, start, chunk.end), chunk.end)
    return chunk.data[start:end]


def entry_starts(chunk: Chunk) -> list[int]:
    """Where every entry of the chunk starts."""
    data, limit = chunk.data, chunk.end
    starts = [chunk.start] if chunk.start < limit else []
    line = line_end(data, chunk.start, limit) + 1
    while line < limit:
        if is_header(data, line):
            starts.append(line)
        line = line_end(data, line, limit) + 1
    return starts


def first_entry_start(data: bytes) -> int | None:
    """Where the first header line after the (possibly partial) first line starts."""
    first_line_end = data.find(b"\n")
    if first_line_end == -1:
        return None
    start = entry_end(data, first_line_end, len(data))
    return start if start < len(data) else None


def last_entry_start(data: bytes) -> int | None:
    """Where the last complete header line starts, when it is not the very first line."""
    end = data.rfind(b"\n")
    for _ in range(_LINES_LOOKED_BACK):  # usually a header is a few lines up
        if end <= 0:
            return None
        line = data.rfind(b"\n", 0, end) + 1
        if line == 0:
            return None
        if is_header(data, line):
            return line
        end = line - 1
    # A long entry: its candidate lines found in C, a block at a time from the end.
    while end > 0:
        block = max(0, end - _BLOCK)
        found = _HEADER_CANDIDATE.finditer(data, block, min(len(data), end + _TIMESTAMP_CHARS + 1))
        candidates = [match.start() + 1 for match in found if match.start() < end]
        header = next((line for line in reversed(candidates) if is_header(data, line)), None)
        if header is not None:
            return header
        end = block
    return None


def _timestamp_classes() -> tuple[list[bytes], list[bytes]]:
    """Per position of a timestamp: a pattern for the characters that fit there, and for the others."""
    fitting = [bytes(sorted({shape[k] for shape in TIMESTAMP_SHAPES})) for k in range(_TIMESTAMP_CHARS)]
    fitting = [b"0123456789" if chars == b"0" else chars for chars in fitting]
    fits = [b"[" + pattern_set.escaped(chars) + b"]" for chars in fitting]
    misfits = [b"[^" + pattern_set.escaped(chars) + b"\\n]" for chars in fitting]
    return fits, misfits


def _not_timestamp_line() -> bytes:
    """A pattern for one line (no newline) that `starts_with_timestamp` says no to.

    Such a line either ends within the timestamp's first k characters, all fitting, or has at
    position k the first character that does not fit: one alternative per k.
    """
    fits, misfits = _timestamp_classes()
    lines = [b"".join(fits[:k]) + b"(?:" + misfits[k] + b"[^\\n]*)?" for k in range(len(fits))]
    return b"(?:" + b"|".join(lines) + b")"


def not_timestamp_line_holding(text: bytes) -> bytes:
    """A pattern for a line that holds ``text`` (a pattern) and does not start with a timestamp.

    It also takes a timestamp line that holds ``text`` within its first 19 characters (callers
    tell those apart): a line whose text starts past them has its first misfit before the text.
    """
    fits, misfits = _timestamp_classes()
    late = b"(?:" + b"|".join(b"".join(fits[:k]) + misfits[k] for k in range(len(fits))) + b")[^\\n]*"
    early = b"[^\\n]{0,%d}" % (_TIMESTAMP_CHARS - 1)
    return b"(?:" + late + b"|" + early + b")" + text


NOT_TIMESTAMP_LINE = _not_timestamp_line()
