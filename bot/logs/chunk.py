"""The unit a log scan passes from step to step: whole entries read at a file offset."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    """Whole entries: ``data[start:end]``, where ``data`` was read at file offset ``offset``.

    The bounds spare a copy of several MiB per chunk; everything that scans a chunk honours them.
    ``line_length`` is set when the chunk holds only the first bytes of one huge line: its length.
    """

    offset: int
    data: bytes
    start: int
    end: int
    line_length: int | None = None

    @property
    def text(self) -> bytes:
        return self.data[self.start : self.end]
