"""Regions of one open file as request bodies, read by position in threads, never on the event loop.

A multipart upload sends many parts of one descriptor at once, so each part's body reads its own
byte range with `os.pread` (the descriptor's offset is never moved, nor its path opened again),
`CHUNK` bytes at a time while aiohttp sends it: a part in flight costs a chunk of memory, not the
part. The file is closed only once no read of it runs (`stop`): a cancelled request can leave its read
behind in a thread, and a closed descriptor's number may already be another file's.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, BinaryIO, TypeVar

from bot.offsite.errors import OffsiteFailed

CHUNK = 1024 * 1024  # a read in a thread per MiB sent: 5 % less CPU than aiohttp's 256 KiB, for ~2 MiB
_HASH_CHUNK = 1024 * 1024

T = TypeVar("T")


class Regions:
    """``file``'s bytes by position, from threads; `stop` waits for the reads still running."""

    def __init__(self, file: BinaryIO) -> None:
        self._descriptor = file.fileno()
        self._reads: set[asyncio.Future[Any]] = set()
        self._closed = False

    async def run(self, work: Callable[[int, int, int], T], offset: int, size: int) -> T:
        """``work(descriptor, offset, size)`` in a thread (a cancelled caller leaves it to finish)."""
        if self._closed:
            raise OffsiteFailed("The upload stopped, so its parts are no longer read.")
        future = asyncio.get_running_loop().run_in_executor(None, work, self._descriptor, offset, size)
        self._reads.add(future)
        future.add_done_callback(self._finished)
        return await asyncio.shield(future)

    async def read(self, offset: int, size: int) -> bytes:
        return await self.run(read_whole, offset, size)

    async def stop(self) -> None:
        """No more reads; returns once the running ones have ended (then the file may be closed)."""
        self._closed = True
        await outlive(self._reads)

    def _finished(self, future: asyncio.Future[Any]) -> None:
        self._reads.discard(future)
        if not future.cancelled():
            future.exception()  # seen here when its caller was cancelled, so never "never retrieved"


async def outlive(futures: Iterable[asyncio.Future[Any]]) -> None:
    """Return once ``futures`` are done, even when cancelled meanwhile (then raise CancelledError):
    the threads behind them use descriptors that must stay open until they end."""
    pending = asyncio.gather(*futures, return_exceptions=True)
    cancelled = False
    while not pending.done():
        try:
            await asyncio.shield(pending)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError()


def read_whole(descriptor: int, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset`` (blocking); OffsiteFailed when the file is shorter now."""
    data = os.pread(descriptor, size, offset)
    if len(data) != size:
        raise OffsiteFailed("The file being uploaded became shorter while it was read.")
    return data


def region_md5(descriptor: int, offset: int, size: int) -> bytes:
    """The md5 of ``size`` bytes at ``offset`` (blocking): a part's Content-MD5."""
    digest = hashlib.md5()
    end = offset + size
    while offset < end:
        data = read_whole(descriptor, offset, min(_HASH_CHUNK, end - offset))
        digest.update(data)
        offset += len(data)
    return digest.digest()


class RegionBody:
    """``size`` bytes of ``regions`` from ``offset`` as a request body.

    botocore takes its length from `len` and accepts it as a body because it has a `read`;
    aiohttp sends it by iterating it (an async iterable), a chunk at a time.
    """

    def __init__(self, regions: Regions, offset: int, size: int) -> None:
        self._regions = regions
        self._offset = offset
        self._size = size

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        raise io.UnsupportedOperation("a part's body is read asynchronously, by iterating it")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        offset, end = self._offset, self._offset + self._size
        while offset < end:
            chunk = await self._regions.read(offset, min(CHUNK, end - offset))
            offset += len(chunk)
            yield chunk
