"""How a backup's SQL is packed: gzip (the default, what Aphrodite makes), zstd, or none.

zstd (through the `zstandard` binding) is faster than gzip at a smaller size, but Aphrodite's
own web UI cannot read `.sql.zst` files: only this bot restores them, and the listings say so.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import IO, Protocol, cast

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = zstandard.FRAME_HEADER
GZIP_LEVEL = 6  # gzip's own default: the usual balance of speed and size
GZIP_WBITS = 16 + zlib.MAX_WBITS
ZSTD_LEVEL = 3  # zstd's own default
# zstd decodes whole blocks only, and a block holds up to 128 KiB: the first SQL bytes of a
# .sql.zst may need this much of the file (frame header included).
ZSTD_FIRST_BLOCK_BYTES = 128 * 1024 + 64


class Compression(StrEnum):
    GZIP = "gzip"
    ZSTD = "zstd"
    NONE = "none"

    @property
    def suffix(self) -> str:
        """The file name's ending: `.sql.gz`, `.sql.zst` or `.sql`."""
        return _SUFFIXES[self]

    @property
    def aphrodite_can_restore(self) -> bool:
        """Whether Aphrodite's own web UI reads such a file (it knows plain SQL and gzip only)."""
        return self is not Compression.ZSTD

    @property
    def description(self) -> str:
        """How a listing names it: 'gzip', 'zstd' or 'plain SQL'."""
        return "plain SQL" if self is Compression.NONE else self.value


_SUFFIXES = {Compression.GZIP: ".sql.gz", Compression.ZSTD: ".sql.zst", Compression.NONE: ".sql"}


def detect(head: bytes) -> Compression:
    """The packing of a file that starts with ``head``, judged by its magic bytes."""
    if head.startswith(GZIP_MAGIC):
        return Compression.GZIP
    if head.startswith(ZSTD_MAGIC):
        return Compression.ZSTD
    return Compression.NONE


class Packer(Protocol):
    """Compresses a stream chunk by chunk (zlib's and zstandard's compressobj both fit)."""

    def compress(self, data: bytes, /) -> bytes: ...

    def flush(self) -> bytes: ...


def packer(compression: Compression) -> Packer | None:
    """A fresh compressor for ``compression``; None for plain SQL."""
    if compression is Compression.GZIP:
        return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WBITS)
    if compression is Compression.ZSTD:
        # The content checksum lets a reader notice a damaged frame.
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True).compressobj()
    return None


class UnpackError(Exception):
    """The compressed data cannot be read; ``reason`` says why, in words that follow the file's name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Truncated(UnpackError):
    """The compressed stream ends before its end: the file was cut short."""


def gunzip(raw: Iterator[bytes], chunk_size: int) -> Iterator[bytes]:
    """The SQL inside a gzip stream (several members are one stream), at most ``chunk_size`` at a time."""
    decompressor = zlib.decompressobj(GZIP_WBITS)
    try:
        for data in raw:
            while data:
                if decompressor.eof:
                    # Several gzip members in one file (as `cat a.gz b.gz` makes) are one stream.
                    decompressor = zlib.decompressobj(GZIP_WBITS)
                if out := decompressor.decompress(data, chunk_size):
                    yield out
                data = decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
        while not decompressor.eof and (out := decompressor.decompress(b"", chunk_size)):
            yield out
    except zlib.error as error:
        raise UnpackError(f"is damaged: its gzip data cannot be read ({error})") from None
    if not decompressor.eof:
        raise Truncated("is truncated: its gzip stream ends early")


class _Source:
    """A file-like view of chunks, for zstandard's reader (which pulls with ``read``)."""

    def __init__(self, raw: Iterator[bytes]) -> None:
        self._raw = raw
        self._rest = b""

    def read(self, size: int = -1) -> bytes:
        if not self._rest:
            self._rest = next(self._raw, b"")
        if size < 0:
            size = len(self._rest)
        piece, self._rest = self._rest[:size], self._rest[size:]
        return piece


def unzstd(raw: Iterator[bytes], chunk_size: int) -> Iterator[bytes]:
    """The SQL inside zstd frames (several frames are one stream), at most ``chunk_size`` at a time.

    Bounded whatever the ratio (a small file may expand to gigabytes). The binding does not say
    whether the last frame ended: a cut file shows as SQL without pg_dump's completion marker,
    which every reader of a dump checks.
    """
    # The binding only ever calls read() on its source.
    source = cast(IO[bytes], _Source(raw))
    reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)
    try:
        while out := reader.read(chunk_size):
            yield out
    except zstandard.ZstdError as error:
        raise UnpackError(f"is damaged: its zstd data cannot be read ({error})") from None


def unpacker(compression: Compression) -> Callable[[Iterator[bytes], int], Iterator[bytes]] | None:
    """The function that yields the SQL of a ``compression`` stream; None for plain SQL."""
    return {Compression.GZIP: gunzip, Compression.ZSTD: unzstd}.get(compression)


def sql_head(compressed: bytes, compression: Compression, limit: int) -> bytes:
    """At most ``limit`` SQL bytes from the first bytes of a compressed file; UnpackError if unreadable."""
    unpack = unpacker(compression)
    if unpack is None:
        return compressed[:limit]
    out = b""
    try:
        for piece in unpack(iter([compressed]), limit):
            out += piece
            if len(out) >= limit:
                break
    except Truncated:  # only the first bytes were read: the stream's end is elsewhere
        pass
    return out[:limit]
