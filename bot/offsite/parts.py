"""What an upload sends, cut into parts by a thread: the backup as it is, or its age encryption.

Plaintext parts are regions of the backup's vetted descriptor (open_backup; its path is never
opened again, so a file swapped in meanwhile changes nothing): the thread reads each part once,
hashing the backup (its sha256, checked against the sidecar) and the part (its Content-MD5) from
the same bytes, so what the store accepts is what was hashed. Encrypted parts are written by
pyrage into the scratch file (bot.offsite.scratch), each into one of a few part-sized regions
("slots") that is reused once its part was sent; their Content-MD5 is computed from the region
by the sender. Either way the thread takes a free slot before it makes a part, so it is never
more than the slots ahead of the store: no part is held in memory, the scratch file holds at
most the slots whatever the backup's size, and a plaintext part is read again from the page cache.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from queue import SimpleQueue
from typing import BinaryIO

from bot.offsite.crypto import HashingReader, encrypt_stream
from bot.offsite.scratch import FULL_ERRNOS

# Each read and hash call gives the GIL up and waits to get it back: few, large ones.
_READ_BLOCK = 8 * 1024 * 1024
_WRITE_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Part:
    """Part ``number``: ``size`` bytes at ``offset`` of the file it is sent from."""

    number: int
    offset: int
    size: int
    slot: int
    md5: bytes | None  # None: to be computed from the region


class Abandoned(Exception):
    """The sending side gave up: the thread stops."""


class NoRoom(Exception):
    """The scratch file could not grow (the disk or a quota is full)."""


class Slots:
    """The slots free for the next parts; `abandon` wakes the thread waiting for one, to stop it."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._free: SimpleQueue[int] = SimpleQueue()
        for slot in range(count):
            self._free.put(slot)
        self.abandoned = False

    def take(self) -> int:
        slot = self._free.get()
        if self.abandoned:
            raise Abandoned()
        return slot

    def give(self, slot: int) -> None:
        self._free.put(slot)

    def abandon(self) -> None:
        self.abandoned = True
        for _ in range(self._count):
            self._free.put(-1)


Emit = Callable[[Part], None]


class PlainParts:
    """The backup's own bytes, a region of ``source`` per part (blocking `run`: the sha256)."""

    def __init__(self, source: io.BufferedReader, part_size: int, slots: Slots, emit: Emit) -> None:
        self._source = source
        self._part_size = part_size
        self._slots = slots
        self._emit = emit
        self.bytes_read = 0
        self.size = 0

    def run(self) -> str:
        sha256 = hashlib.sha256()
        buffer = memoryview(bytearray(min(self._part_size, _READ_BLOCK)))
        number = 0
        while True:
            slot = self._slots.take()
            md5, size = hashlib.md5(), 0
            while size < self._part_size and (got := self._read_into(buffer[: self._part_size - size])):
                sha256.update(buffer[:got])
                md5.update(buffer[:got])
                size += got
            if size == 0 and number:  # the backup ended with the previous part
                self._slots.give(slot)
                break
            number += 1
            self._emit(Part(number, self.size, size, slot, md5.digest()))
            self.size += size
            if size < self._part_size:
                break
        return sha256.hexdigest()

    def _read_into(self, buffer: memoryview) -> int:
        """As much of ``buffer`` as the backup fills (less only at its end)."""
        size = 0
        while size < len(buffer) and (got := self._source.readinto(buffer[size:])):
            size += got
            self.bytes_read += got
        return size


class EncryptedParts:
    """``source`` age-encrypted by pyrage into ``scratch``, a slot per part (blocking `run`: the
    backup's sha256). pyrage calls `write`."""

    def __init__(
        self,
        source: BinaryIO,
        scratch: BinaryIO,
        part_size: int,
        slots: Slots,
        emit: Emit,
        recipients: list[object],
    ) -> None:
        self._reader = HashingReader(source)
        self._descriptor = scratch.fileno()
        self._part_size = part_size
        self._slots = slots
        self._emit = emit
        self._recipients = recipients
        self._slot: int | None = None
        self._filled = 0  # of the slot's part, written
        self._pending = bytearray()  # pyrage's 64 KiB writes, a syscall (and a wait for the GIL) per MiB
        self._number = 0
        self._no_room = False
        self.size = 0

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read

    def run(self) -> str:
        try:
            encrypt_stream(self._reader, self, self._recipients)
        except Exception:
            # pyrage turns what write raised into its own error: say which it was
            if self._slots.abandoned:
                raise Abandoned() from None
            if self._no_room:
                raise NoRoom() from None
            raise
        if self._slot is not None:  # the last part (age's output is never empty)
            self._write_pending(self._slot)
            self._emit_part(self._slot)
        return self._reader.sha256.hexdigest()

    def write(self, data: bytes) -> int:
        view, start = memoryview(data), 0
        while start < len(view):
            if self._slot is None:
                self._slot, self._filled = self._slots.take(), 0
            piece = view[start : start + self._part_size - self._filled - len(self._pending)]
            self._pending += piece
            start += len(piece)
            if len(self._pending) >= _WRITE_BLOCK or self._filled + len(self._pending) == self._part_size:
                self._write_pending(self._slot)
            if self._filled == self._part_size:
                self._emit_part(self._slot)
        return len(data)

    def flush(self) -> None:
        return None

    def _write_pending(self, slot: int) -> None:
        offset, done = slot * self._part_size + self._filled, 0
        with memoryview(self._pending) as pending:
            while done < len(pending):
                try:
                    done += os.pwrite(self._descriptor, pending[done:], offset + done)
                except OSError as error:
                    self._no_room = error.errno in FULL_ERRNOS
                    raise
        self._filled += done
        self._pending.clear()

    def _emit_part(self, slot: int) -> None:
        self._number += 1
        self._emit(Part(self._number, slot * self._part_size, self._filled, slot, None))
        self.size += self._filled
        self._slot, self._filled = None, 0
