"""Where pg_dump's output goes while a backup is made, and how every byte of it gets hashed.

A compressed backup must pass through Python: pg_dump writes into a pipe and `PackedSink`, in one
worker thread, checks, packs, hashes and writes each chunk. A plain backup need not: pg_dump
writes the temporary file itself, exactly as `pg_dump > file` would, and `PlainSink` follows the
growing file in a worker thread, hashing and checking what reached the page cache (the bytes on
disk, then) and flushing them to the disk every few MiB, so that the final fsync is short.

Every method blocks: call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bot.backups.compression import Compression, Packer, packer
from bot.backups.dump_file import DumpEnds

READ_SIZE = 1024 * 1024
PIPE_SIZE = 1024 * 1024  # fewer, larger reads from pg_dump (Linux caps it at pipe-max-size)
# Small enough to stay in the CPU's cache between the read and the hash.
FOLLOW_READ_SIZE = 256 * 1024
# How long the follower waits for pg_dump to write more (it wakes at once when pg_dump exits).
FOLLOW_POLL_SECONDS = 0.01
# A plain backup is flushed to the disk as it grows, so the final fsync only waits for the rest.
SYNC_EVERY_BYTES = 8 * 1024 * 1024
PROGRESS_EVERY_BYTES = 4 * 1024 * 1024

Report = Callable[[int, int], None]  # (file bytes, SQL bytes) so far; called from the worker thread


class DumpSink(Protocol):
    """The temporary file of one backup, and what pg_dump writes into."""

    @property
    def ends(self) -> DumpEnds:
        """The first and last SQL bytes seen."""

    @property
    def size(self) -> int:
        """File bytes hashed so far."""

    @property
    def sql_bytes(self) -> int:
        """SQL bytes seen so far."""

    @property
    def pg_dump_stdout(self) -> int:
        """The descriptor pg_dump writes its SQL into."""

    def started(self) -> None:
        """pg_dump runs with its own copy of ``pg_dump_stdout``."""

    def consume(self, exited: threading.Event, report: Report) -> None:
        """Take in everything pg_dump writes; returns once it is all in (``exited``: pg_dump has ended)."""

    def flush(self) -> int:
        """Write out what is pending; returns the size of the file on disk."""

    def seal(self) -> str:
        """fsync and close the file; returns its sha256."""

    def abort(self) -> None:
        """Close everything still open (the caller removes the file)."""


def open_sink(path: Path, compression: Compression) -> DumpSink:
    """A new temporary file at ``path`` (which must not exist) ready for pg_dump's output."""
    if compression is Compression.NONE:
        return PlainSink(path)
    return PackedSink(path, compression)


class _Progress:
    """Calls ``report`` every PROGRESS_EVERY_BYTES of SQL, not on every chunk (each call wakes the loop)."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self._reported = 0

    def update(self, size: int, sql_bytes: int) -> None:
        if sql_bytes - self._reported >= PROGRESS_EVERY_BYTES:
            self._reported = sql_bytes
            self._report(size, sql_bytes)


class PackedSink:
    """gzip or zstd: pg_dump writes into a pipe; each chunk is checked, packed, hashed, then written."""

    def __init__(self, path: Path, compression: Compression) -> None:
        self._packer: Packer | None = packer(compression)
        self._sha256 = hashlib.sha256()
        self.ends = DumpEnds()
        self.size = 0
        self.sql_bytes = 0
        self._read_end, self._write_end = os.pipe()
        try:
            _enlarge(self._write_end)
            self._file = open(path, "xb")  # closed by seal() or abort()
        except BaseException:
            self._close_pipe()
            raise

    @property
    def pg_dump_stdout(self) -> int:
        return self._write_end

    def started(self) -> None:
        # pg_dump holds its own copy; ours would keep the pipe from ending.
        self._close_write_end()

    def consume(self, exited: threading.Event, report: Report) -> None:
        """Read the pipe until pg_dump (and whatever else held it) closed it."""
        progress = _Progress(report)
        with open(self._read_end, "rb", buffering=0, closefd=False) as pipe:
            while chunk := pipe.read(READ_SIZE):
                self.ends.feed(chunk)
                self.sql_bytes += len(chunk)
                self._emit(self._packer.compress(chunk) if self._packer else chunk)
                progress.update(self.size, self.sql_bytes)

    def _emit(self, data: bytes) -> None:
        if data:
            self._file.write(data)
            self._sha256.update(data)
            self.size += len(data)

    def flush(self) -> int:
        if self._packer:
            self._emit(self._packer.flush())
        self._file.flush()
        return os.fstat(self._file.fileno()).st_size

    def seal(self) -> str:
        os.fsync(self._file.fileno())
        self.abort()
        return self._sha256.hexdigest()

    def abort(self) -> None:
        self._close_pipe()
        self._file.close()

    def _close_pipe(self) -> None:
        self._close_write_end()
        if self._read_end >= 0:
            os.close(self._read_end)
            self._read_end = -1

    def _close_write_end(self) -> None:
        if self._write_end >= 0:
            os.close(self._write_end)
            self._write_end = -1


def _enlarge(pipe: int) -> None:
    try:
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:  # over the system's limit for this user: the default size works too
        pass


class PlainSink:
    """Plain SQL: pg_dump writes the file itself; a worker thread reads it back as it grows.

    No byte crosses a pipe or Python on its way to the disk. What is hashed is what reading the
    file returns, so the sidecar's sha256 is that of the file's bytes, not of a copy of them.
    """

    def __init__(self, path: Path) -> None:
        # Shared with pg_dump (same open file, same offset); we only ever read it with pread.
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        self._sha256 = hashlib.sha256()
        self.ends = DumpEnds()
        self.size = 0

    @property
    def sql_bytes(self) -> int:
        return self.size

    @property
    def pg_dump_stdout(self) -> int:
        return self._fd

    def started(self) -> None:
        pass

    def consume(self, exited: threading.Event, report: Report) -> None:
        """Hash and check the file as pg_dump extends it, until pg_dump ended and all of it was read."""
        progress = _Progress(report)
        buffer = bytearray(FOLLOW_READ_SIZE)
        view = memoryview(buffer)
        synced = 0
        while True:
            ended = exited.is_set()  # before the read: a read after pg_dump's end sees all it wrote
            count = os.preadv(self._fd, [buffer], self.size)
            if count:
                chunk = view[:count]
                self.ends.feed(chunk)
                self._sha256.update(chunk)
                self.size += count
                if self.size - synced >= SYNC_EVERY_BYTES:
                    os.fdatasync(self._fd)
                    synced = self.size
                progress.update(self.size, self.size)
            elif ended:
                return
            else:
                exited.wait(FOLLOW_POLL_SECONDS)

    def flush(self) -> int:
        return os.fstat(self._fd).st_size

    def seal(self) -> str:
        os.fsync(self._fd)
        self._close()
        return self._sha256.hexdigest()

    def abort(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
