"""The log as the user sees it: redacted, with long lines cut. Every search and every answer is made on it.

A raw chunk (see reader.py) becomes a "shown" chunk: its text decoded (invalid UTF-8 becomes
U+FFFD), every secret masked, and each line longer than ``LINE_LIMIT`` bytes cut to its first
``LINE_LIMIT`` bytes plus ``… [line truncated, N bytes]``. Lines are neither added nor removed.

Why every answer is the one this text gives: a search that counted a match in the raw bytes
(``tmdb-key-5f`` inside a masked key) would answer differently depending on a secret's
characters, and a masked key could be recovered one guess at a time. A plain search finds its
candidate lines in the raw bytes, but decides each line that redaction changes on its shown
text (searchable.py), so its answers (which lines match, how many) are those of this text; how
long it takes may depend on how many raw lines hold the search.

A cut line is redacted with ``_CONTEXT`` more characters past the cut, so a secret straddling
the cut is masked whole. Text is redacted ``_PIECE`` bytes at a time, so no single call keeps
the interpreter busy for long.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.logs.chunk import Chunk
from bot.logs.entry import truncation_marker
from bot.redact import Redactor

LINE_LIMIT = 64 * 1024
_CONTEXT = 4 * 1024
_PIECE = 1024 * 1024
_NEWLINE = re.compile(b"\n")


@dataclass
class ShownChunk:
    """``chunk`` holds the shown text (bytes) of ``raw``, line for line.

    Not ``exact``: text that a plain search decides on as on the shown text (see searchable.py),
    but that is not to be shown.
    """

    raw: Chunk
    chunk: Chunk
    exact: bool = True
    _raw_lines: list[int] | None = field(default=None, repr=False)

    def file_offsets(self, starts: list[int]) -> list[int]:
        """The file offset of each line starting at one of ``starts`` (in order) in the shown text.

        One pass over the chunk, however many lines: a page of matches from one chunk is common.
        """
        raw = self.raw
        if raw.line_length is not None or not starts:  # no line to find: no pass over the chunk
            return [raw.offset] * len(starts)
        if self._raw_lines is None:
            self._raw_lines = [raw.start, *(m.end() for m in _NEWLINE.finditer(raw.data, raw.start, raw.end))]
        raw_lines, data = self._raw_lines, self.chunk.data
        offsets, line, at = [], 0, 0
        for pos in starts:
            line += data.count(b"\n", at, pos)
            at = pos
            offsets.append(raw.offset + raw_lines[min(line, len(raw_lines) - 1)])
        return offsets


def show(raw: Chunk, redactor: Redactor) -> ShownChunk:
    """The shown text of ``raw``."""
    if raw.line_length is not None:
        text = _cut_line(raw.text, raw.line_length, redactor).encode()
    else:
        text = b"".join(
            _shown_lines(piece, redactor).encode() for piece in pieces(raw.data, raw.start, raw.end, redactor)
        )
    return ShownChunk(raw, Chunk(raw.offset, text, 0, len(text)))


def pieces(data: bytes, start: int, end: int, redactor: Redactor) -> Iterator[bytes]:
    """data[start:end] in pieces of whole lines of about _PIECE bytes, redacted one at a time."""
    while start < end:
        stop = _piece_end(data, start, end, redactor)
        yield data[start:stop]
        start = stop


def _piece_end(data: bytes, start: int, end: int, redactor: Redactor) -> int:
    """Where the piece from ``start`` ends: after a newline about _PIECE bytes on (or ``end``),
    never right after a line that may announce a credential on the next one, or end with the
    start of a known secret that goes on on the next one."""
    stop = start + _PIECE
    while stop < end:
        newline = data.find(b"\n", stop, end)
        if newline == -1:
            return end
        line_start = data.rfind(b"\n", start, newline) + 1
        if not redactor.reaches_next_line(data, line_start, newline):
            return newline + 1
        stop = newline + 1
    return end


def _shown_lines(piece: bytes, redactor: Redactor) -> str:
    """Whole lines, redacted together; the long ones cut."""
    if len(piece) <= LINE_LIMIT or not has_long_line(piece, 0, len(piece)):
        return _crlf(redactor.redact_bytes(piece))
    parts: list[str] = []
    run: list[bytes] = []
    for line in piece.split(b"\n"):
        if len(line) <= LINE_LIMIT:
            run.append(line)
            continue
        if run:
            parts.append(_crlf(redactor.redact_bytes(b"\n".join(run))))
            run = []
        parts.append(_cut_line(line, len(line), redactor))
    if run:
        parts.append(_crlf(redactor.redact_bytes(b"\n".join(run))))
    return "\n".join(parts)


def has_long_line(data: bytes, start: int, end: int) -> bool:
    """Whether a line of data[start:end] may exceed LINE_LIMIT: a half-limit block holds no newline."""
    block = LINE_LIMIT // 2
    return any(data.find(b"\n", at, at + block) == -1 for at in range(start, end - block + 1, block))


def shown_text(lines: bytes, redactor: Redactor) -> bytes:
    """The shown text of whole lines, none longer than LINE_LIMIT (what `show` makes of them)."""
    return _crlf(redactor(_decode(lines))).encode()


def _cut_line(head: bytes, length: int, redactor: Redactor) -> str:
    """A line of ``length`` bytes whose first bytes are ``head``: cut at LINE_LIMIT, redacted, marked."""
    if length <= LINE_LIMIT:
        return redactor(_decode(head))
    cut = LINE_LIMIT
    while cut > 0 and head[cut] & 0xC0 == 0x80:  # not inside a UTF-8 character
        cut -= 1
    kept = _decode(head[:cut])
    context = _decode(head[: cut + _CONTEXT].split(b"\n", 1)[0])
    return redactor.redact_head(context, len(kept)) + truncation_marker(length)


def _decode(data: bytes) -> str:
    return _crlf(data.decode("utf-8", errors="replace"))


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n")
