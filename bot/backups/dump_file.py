"""Reading a backup file as plain SQL, streamed, and proving it is a whole pg_dump.

A dump is whole when its gzip stream (if any) is intact to the last CRC and the SQL ends with
pg_dump's completion marker. Both the backup writer (before renaming a new file into place) and
the restorer (before touching the database) run `check_dump` on the full file.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.errors import OpsError

DUMP_HEADER = b"PostgreSQL database dump"
COMPLETION_MARKER = b"-- PostgreSQL database dump complete"
_COMPLETION_BLOCK = b"\n--\n" + COMPLETION_MARKER + b"\n--\n"
GZIP_MAGIC = b"\x1f\x8b"
CUSTOM_FORMAT_MAGIC = b"PGDMP"
CHUNK_SIZE = 1024 * 1024
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 4 * 1024
JUDGE_AFTER_BYTES = 512
GZIP_WBITS = 16 + zlib.MAX_WBITS
# What pg_dump may write after its marker: comment dashes, blank lines, `\unrestrict KEY` (15.14+).
_AFTER_MARKER = re.compile(rb"^(?:\s*|--|\\unrestrict [A-Za-z0-9]+)$")
_SERVER_VERSION = re.compile(rb"^-- Dumped from database version (?P<v>.+)$", re.MULTILINE)
_TOOL_VERSION = re.compile(rb"^-- Dumped by pg_dump version (?P<v>.+)$", re.MULTILINE)


class BackupCorrupt(OpsError):
    """The file is not a whole plain-SQL pg_dump (truncated, damaged, or another format)."""


@dataclass(frozen=True)
class DumpCheck:
    """What reading a whole dump proved about it."""

    size: int
    sha256: str
    compressed: bool
    sql_bytes: int
    server_version: str | None
    pg_dump_version: str | None


class DumpReader:
    """Yields a dump's SQL in chunks of at most 1 MiB; hashes the file bytes as it goes.

    Raises BackupCorrupt for a damaged or truncated gzip stream, never returns partial data silently.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file_bytes = 0
        self.sql_bytes = 0
        self.compressed = False
        self._sha256 = hashlib.sha256()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def chunks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as file:
            first = file.read(CHUNK_SIZE)
            self.compressed = first.startswith(GZIP_MAGIC)
            raw = self._raw_chunks(first, file)
            sql = self._gunzip(raw) if self.compressed else raw
            for chunk in sql:
                self.sql_bytes += len(chunk)
                yield chunk

    def _raw_chunks(self, first: bytes, file) -> Iterator[bytes]:
        chunk = first
        while chunk:
            self.file_bytes += len(chunk)
            self._sha256.update(chunk)
            yield chunk
            chunk = file.read(CHUNK_SIZE)

    def _gunzip(self, raw: Iterator[bytes]) -> Iterator[bytes]:
        decompressor = zlib.decompressobj(GZIP_WBITS)
        try:
            for data in raw:
                while data:
                    if decompressor.eof:
                        # Several gzip members in one file (as `cat a.gz b.gz` makes) are one stream.
                        decompressor = zlib.decompressobj(GZIP_WBITS)
                    if out := decompressor.decompress(data, CHUNK_SIZE):
                        yield out
                    data = decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
            while not decompressor.eof and (out := decompressor.decompress(b"", CHUNK_SIZE)):
                yield out
        except zlib.error as error:
            raise BackupCorrupt(
                f"{self.path.name} is damaged: its gzip data cannot be read ({error}) "
                f"after {self.file_bytes} bytes."
            ) from None
        if not decompressor.eof:
            raise BackupCorrupt(
                f"{self.path.name} is truncated: its gzip stream ends early, after {self.file_bytes} bytes."
            )


class DumpEnds:
    """Remembers the first and the last bytes of a SQL stream: its header and its ending."""

    def __init__(self) -> None:
        self.head = b""
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < _HEAD_BYTES:
            self.head += chunk[: _HEAD_BYTES - len(self.head)]
        self._tail = (self._tail + chunk[-_TAIL_BYTES:])[-_TAIL_BYTES:]

    @property
    def complete(self) -> bool:
        """True when the SQL ends with pg_dump's completion block (and only its trailer after it).

        The whole three-line comment block is required, so a data row that merely contains the
        marker's words cannot pass for the end of a dump cut short.
        """
        position = self._tail.rfind(_COMPLETION_BLOCK)
        if position < 0:
            return False
        after = self._tail[position + len(_COMPLETION_BLOCK) :].split(b"\n")
        return all(_AFTER_MARKER.match(line.strip()) for line in after)

    def version(self, pattern: re.Pattern[bytes]) -> str | None:
        match = pattern.search(self.head)
        return match["v"].decode("utf-8", "replace").strip() if match else None


def check_dump(path: Path, on_chunk: Callable[[int], None] | None = None) -> DumpCheck:
    """Read the whole file; raise BackupCorrupt unless it is a complete plain-SQL pg_dump.

    Blocking: call it through ``asyncio.to_thread``. ``on_chunk`` gets the file bytes read so far
    (from the worker thread) after each chunk.
    """
    reader = DumpReader(path)
    ends = DumpEnds()
    judged = False
    for chunk in reader.chunks():
        ends.feed(chunk)
        if on_chunk is not None:
            on_chunk(reader.file_bytes)
        if not judged and len(ends.head) >= JUDGE_AFTER_BYTES:
            _refuse_other_formats(path.name, ends.head)
            judged = True
    if not judged:
        _refuse_other_formats(path.name, ends.head)
    if not ends.complete:
        raise BackupCorrupt(
            f"{path.name} is incomplete: it does not end with pg_dump's completion marker "
            f"({COMPLETION_MARKER.decode()}), so the dump was cut short."
        )
    return DumpCheck(
        size=reader.file_bytes,
        sha256=reader.sha256,
        compressed=reader.compressed,
        sql_bytes=reader.sql_bytes,
        server_version=ends.version(_SERVER_VERSION),
        pg_dump_version=ends.version(_TOOL_VERSION),
    )


def dump_head_problem(head: bytes) -> str | None:
    """Why ``head`` (the first SQL bytes, decompressed) is not the start of a plain pg_dump; None if it is."""
    if not head:
        return "is empty"
    if head.startswith(CUSTOM_FORMAT_MAGIC):
        return "is a pg_dump custom-format archive, not plain SQL; restore it with pg_restore"
    if not (head.lstrip().startswith(b"--") and DUMP_HEADER in head[:JUDGE_AFTER_BYTES]):
        return "is not a plain-SQL pg_dump file (it does not start like one)"
    return None


def _refuse_other_formats(name: str, head: bytes) -> None:
    """Raise BackupCorrupt unless ``head`` (the first SQL bytes) starts like a plain pg_dump."""
    if problem := dump_head_problem(head):
        raise BackupCorrupt(f"{name} {problem}.")
