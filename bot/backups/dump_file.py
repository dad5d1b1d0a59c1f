"""Reading a backup file as plain SQL, streamed, and proving it is a whole pg_dump.

A dump is whole when its gzip or zstd stream (if any) reads without error and the SQL ends with
pg_dump's completion marker. The restorer runs `check_dump` on the full file before touching the
database; the backup writer checks the same ends (`DumpEnds`) as the SQL streams by.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.backups.compression import Compression, UnpackError, detect, unpacker
from bot.errors import OpsError
from bot.units import human_bytes

DUMP_HEADER = b"PostgreSQL database dump"
COMPLETION_MARKER = b"-- PostgreSQL database dump complete"
_COMPLETION_BLOCK = b"\n--\n" + COMPLETION_MARKER + b"\n--\n"
CUSTOM_FORMAT_MAGIC = b"PGDMP"
CHUNK_SIZE = 1024 * 1024
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 4 * 1024
JUDGE_AFTER_BYTES = 512
# pg_dump's SQL compresses 5 to 20 times (gzip can do no better than about 1030:1); a file that
# inflates more than this, once past a few MiB, is a decompression bomb, refused as it streams.
RATIO_LIMIT = 1000
RATIO_AFTER_BYTES = 16 * 1024 * 1024
# What pg_dump may write after its marker: comment dashes, blank lines, `\unrestrict KEY` (15.14+).
_AFTER_MARKER = re.compile(rb"^(?:\s*|--|\\unrestrict [A-Za-z0-9]+)$")
SERVER_VERSION = re.compile(rb"^-- Dumped from database version (?P<v>.+)$", re.MULTILINE)
TOOL_VERSION = re.compile(rb"^-- Dumped by pg_dump version (?P<v>.+)$", re.MULTILINE)


class BackupCorrupt(OpsError):
    """The file is not a whole plain-SQL pg_dump (truncated, damaged, or another format)."""


@dataclass(frozen=True)
class DumpCheck:
    """What reading a whole dump proved about it."""

    size: int
    sha256: str
    compression: Compression
    sql_bytes: int
    server_version: str | None
    pg_dump_version: str | None

    @property
    def compressed(self) -> bool:
        return self.compression is not Compression.NONE


class DumpReader:
    """Yields a dump's SQL in chunks of at most 1 MiB; hashes the file bytes as it goes.

    Raises BackupCorrupt for a damaged or truncated gzip or zstd stream or one that inflates more
    than RATIO_LIMIT times, never returns partial data silently. With ``file`` (an open descriptor
    of ``path``, the vetted one) it reads that from its start instead of opening ``path`` again.
    """

    def __init__(self, path: Path, file: BinaryIO | None = None) -> None:
        self.path = path
        self._file = file
        self.file_bytes = 0
        self.sql_bytes = 0
        self.compression = Compression.NONE
        self._sha256 = hashlib.sha256()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def chunks(self) -> Iterator[bytes]:
        if self._file is not None:
            self._file.seek(0)
            yield from self._chunks_of(self._file)
            return
        with open(self.path, "rb") as file:
            yield from self._chunks_of(file)

    def _chunks_of(self, file: BinaryIO) -> Iterator[bytes]:
        first = file.read(CHUNK_SIZE)
        self.compression = detect(first)
        raw = self._raw_chunks(first, file)
        unpack = unpacker(self.compression)
        sql = raw if unpack is None else self._unpacked(unpack(raw, CHUNK_SIZE))
        for chunk in sql:
            self.sql_bytes += len(chunk)
            if self.sql_bytes > RATIO_AFTER_BYTES and self.sql_bytes > RATIO_LIMIT * self.file_bytes:
                raise BackupCorrupt(
                    f"{self.path.name} inflates more than {RATIO_LIMIT} times ({human_bytes(self.sql_bytes)} "
                    f"of SQL from {human_bytes(self.file_bytes)}): a decompression bomb, not a pg_dump."
                )
            yield chunk

    def _raw_chunks(self, first: bytes, file: BinaryIO) -> Iterator[bytes]:
        chunk = first
        while chunk:
            self.file_bytes += len(chunk)
            self._sha256.update(chunk)
            yield chunk
            chunk = file.read(CHUNK_SIZE)

    def _unpacked(self, sql: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from sql
        except UnpackError as error:
            # "... is damaged: its gzip data cannot be read (...)" / "... is truncated: ..."
            raise BackupCorrupt(f"{self.path.name} {error.reason}, after {self.file_bytes} bytes.") from None


class DumpEnds:
    """Remembers the first and the last bytes of a SQL stream: its header and its ending."""

    def __init__(self) -> None:
        self.head = b""
        self._tail = b""

    def feed(self, chunk: bytes | memoryview) -> None:
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


def check_dump(
    path: Path,
    on_chunk: Callable[[int], None] | None = None,
    inspect: Callable[[bytes | None], None] | None = None,
    file: BinaryIO | None = None,
) -> DumpCheck:
    """Read the whole file; raise BackupCorrupt unless it is a complete plain-SQL pg_dump.

    Blocking: call it through ``asyncio.to_thread``. ``on_chunk`` gets the file bytes read so far
    (from the worker thread) after each chunk. ``inspect`` sees the same read: each SQL chunk
    once the file's start was judged a plain dump, then None once the file proved complete.
    ``file``: the open descriptor to read (see DumpReader).
    """
    reader = DumpReader(path, file)
    ends = DumpEnds()
    judged = False
    early: list[bytes] = []  # the first chunks, held back from ``inspect`` until the start is judged
    for chunk in reader.chunks():
        ends.feed(chunk)
        if on_chunk is not None:
            on_chunk(reader.file_bytes)
        if judged:
            _inspect(inspect, chunk)
            continue
        early.append(chunk)
        if len(ends.head) >= JUDGE_AFTER_BYTES:
            judged = _judge(path.name, ends.head, early, inspect)
    if not judged:
        _judge(path.name, ends.head, early, inspect)
    if not ends.complete:
        raise BackupCorrupt(
            f"{path.name} is incomplete: it does not end with pg_dump's completion marker "
            f"({COMPLETION_MARKER.decode()}), so the dump was cut short."
        )
    _inspect(inspect, None)
    return DumpCheck(
        size=reader.file_bytes,
        sha256=reader.sha256,
        compression=reader.compression,
        sql_bytes=reader.sql_bytes,
        server_version=ends.version(SERVER_VERSION),
        pg_dump_version=ends.version(TOOL_VERSION),
    )


def _judge(
    name: str, head: bytes, early: list[bytes], inspect: Callable[[bytes | None], None] | None
) -> bool:
    """Refuse a file that does not start like a plain pg_dump, then let ``inspect`` see what it held back."""
    _refuse_other_formats(name, head)
    for chunk in early:
        _inspect(inspect, chunk)
    early.clear()
    return True


def _inspect(inspect: Callable[[bytes | None], None] | None, chunk: bytes | None) -> None:
    if inspect is not None:
        inspect(chunk)


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
