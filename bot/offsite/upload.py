"""One backup to the store: encrypted while read, sent in parts, then checked against what was sent.

Memory stays bounded whatever the backup's size: a thread reads and encrypts into parts of
``part_size`` bytes, written into ``_BUFFERS`` buffers that are reused once their part is sent;
``_QUEUED_PARTS`` wait while at most ``PARTS_IN_FLIGHT`` are sent at once.
Each part goes with its Content-MD5 (the store refuses a part that arrived damaged); after
completion the object's size, its `sha256` metadata and, for a standard multipart ETag, the ETag
are compared with what was sent. The `sha256` is the unencrypted backup's (the sidecar's),
checked again while reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from queue import SimpleQueue

from bot.backups.inventory import BackupFile, open_backup
from bot.backups.progress import ProgressReporter
from bot.offsite.crypto import HashingReader, encrypt_stream
from bot.offsite.errors import OffsiteFailed
from bot.offsite.store import MultipartUpload, ObjectStore, RemoteObject
from bot.offsite.switching import short_switch_interval

DEFAULT_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part
_QUEUED_PARTS = 1
PARTS_IN_FLIGHT = 3
_BUFFERS = PARTS_IN_FLIGHT + 2  # the parts in flight, the one waiting for them, the one being written
# S3 allows 10,000 parts: larger backups get larger parts, with room for age's 0.03 %.
_MOST_PARTS = 9000
MADE_BY = "aphrodite-ops"
ROW_COUNTS = "row-counts"
_METADATA_LIMIT = 2048  # S3's limit on an object's user metadata, keys and values together


@dataclass(frozen=True)
class UploadedCopy:
    """A verified copy: its key, the object's size, the backup's sha256, and how long it took."""

    name: str
    key: str
    size: int
    sha256: str
    encrypted: bool
    parts: int
    uploaded_at: datetime
    duration_seconds: float


@dataclass(frozen=True)
class PushOutcome:
    """A finished upload attempt: the copy, or the error (safe to show) after the last retry."""

    name: str
    copy: UploadedCopy | None
    error: str | None
    pruned: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Sent:
    size: int
    sha256: str
    part_md5s: tuple[bytes, ...]


class _Abandoned(Exception):
    """The sending side gave up: the reading thread stops."""


class _PartWriter:
    """What pyrage writes into: cut into parts, each handed to the event loop (blocking while it is full).

    Each part is written once into a BytesIO taken from ``free``, which is then the request's
    body as it is: aiohttp reads it in place (a BytesIO made from bytes would be copied), so a part
    is in memory once, and the same few buffers serve every part (blocking while none is free).
    """

    def __init__(
        self,
        part_size: int,
        queue: asyncio.Queue[io.BytesIO | None],
        loop: asyncio.AbstractEventLoop,
        free: SimpleQueue[io.BytesIO],
    ) -> None:
        self._part_size = part_size
        self._queue = queue
        self._loop = loop
        self._free = free
        self._part = free.get()
        self.abandoned = False
        self.size = 0
        self.parts = 0

    def write(self, data: bytes) -> int:
        view, start = memoryview(data), 0
        while start < len(view):
            start += self._part.write(view[start : start + self._part_size - self._part.tell()])
            if self._part.tell() == self._part_size:
                self._emit()
        return len(data)

    def flush(self) -> None:
        return None

    def finish(self) -> None:
        if self._part.tell() or not self.parts:
            self._emit()

    def _emit(self) -> None:
        if self.abandoned:
            raise _Abandoned()
        part = self._part
        self.parts += 1
        self.size += part.tell()
        part.truncate()  # a last part shorter than the buffer's previous one
        part.seek(0)
        asyncio.run_coroutine_threadsafe(self._queue.put(part), self._loop).result()
        self._part = self._free.get()
        self._part.seek(0)


async def upload_backup(
    store: ObjectStore,
    backup: BackupFile,
    *,
    sha256: str,
    recipients: list[object] | None,
    part_size: int = DEFAULT_PART_SIZE,
    reporter: ProgressReporter | None = None,
) -> UploadedCopy:
    """Upload ``backup`` (whose content hashes to ``sha256``) and verify it; OffsiteFailed otherwise."""
    started = time.perf_counter()
    part_size = max(part_size, -(-backup.size // _MOST_PARTS))
    key = store.location.key_for(backup.name, encrypted=recipients is not None)
    metadata = {
        "sha256": sha256,
        "size": str(backup.size),
        "made-by": MADE_BY,
        "kind": backup.kind,
        "created-at": backup.created_at.isoformat(),
    }
    metadata = with_row_counts(metadata, backup.manifest)
    async with store.client() as client:
        upload = await MultipartUpload.start(client, store.location, key, metadata)
        try:
            with short_switch_interval() if recipients is not None else contextlib.nullcontext():
                sent = await _send(upload, backup, recipients, part_size, reporter)
            if sent.sha256 != sha256:
                raise OffsiteFailed(f"{backup.name} changed while it was uploaded (its sha256 differs).")
            await upload.complete()
        except BaseException:
            with contextlib.suppress(Exception):
                await upload.abort()
            raise
        remote = await store.head(client, key)
        try:
            _verify(remote, key, sha256, sent)
        except OffsiteFailed:
            with contextlib.suppress(Exception):  # an unverified copy must never count as one
                await store.delete(client, key)
            raise
    return UploadedCopy(
        name=backup.name,
        key=key,
        size=sent.size,
        sha256=sha256,
        encrypted=recipients is not None,
        parts=len(sent.part_md5s),
        uploaded_at=datetime.now(UTC),
        duration_seconds=time.perf_counter() - started,
    )


async def _send(
    upload: MultipartUpload,
    backup: BackupFile,
    recipients: list[object] | None,
    part_size: int,
    reporter: ProgressReporter | None,
) -> _Sent:
    queue: asyncio.Queue[io.BytesIO | None] = asyncio.Queue(maxsize=_QUEUED_PARTS)
    loop = asyncio.get_running_loop()
    free: SimpleQueue[io.BytesIO] = SimpleQueue()
    for _ in range(_BUFFERS):
        free.put(io.BytesIO())
    writer = _PartWriter(part_size, queue, loop, free)
    reader_box: list[HashingReader] = []

    def produce() -> str:
        try:
            with open_backup(backup) as source:
                reader = HashingReader(source)
                reader_box.append(reader)
                encrypt_stream(reader, writer, recipients)
                writer.finish()
                return reader.sha256.hexdigest()
        finally:
            asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

    md5s: dict[int, bytes] = {}

    async def send_part(number: int, part: io.BytesIO) -> None:
        try:
            md5s[number] = await asyncio.to_thread(_md5, part)  # beside the reading thread, not after it
            await upload.send(number, part, md5s[number])
        finally:
            free.put(part)

    producer = asyncio.ensure_future(asyncio.to_thread(produce))
    sending: set[asyncio.Task[None]] = set()
    try:
        number = 0
        while (part := await queue.get()) is not None:
            number += 1
            if len(sending) >= PARTS_IN_FLIGHT:
                done, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            sending.add(asyncio.create_task(send_part(number, part)))
            del part
            if reporter is not None and reader_box:
                reporter.update("uploading", reader_box[0].bytes_read, backup.size)
        await asyncio.gather(*sending)
    except BaseException:
        for task in sending:
            task.cancel()
        writer.abandoned = True
        while not producer.done():  # let the thread reach its end, then drop what it queued
            with contextlib.suppress(asyncio.QueueEmpty):
                if (queued := queue.get_nowait()) is not None:
                    free.put(queued)
            await asyncio.sleep(0.01)
        raise
    sha256 = await producer
    return _Sent(writer.size, sha256, tuple(md5s[part] for part in range(1, number + 1)))


def _md5(part: io.BytesIO) -> bytes:
    with part.getbuffer() as content:
        return hashlib.md5(content).digest()


def with_row_counts(metadata: dict[str, str], manifest: dict[str, object] | None) -> dict[str, str]:
    """``metadata`` with the sidecar's row counts, as compact JSON, when all of it fits S3's 2 KB.

    A drill of the copy, once only the store holds it, compares its counts with these.
    """
    counts = manifest.get("row_counts") if manifest else None
    if not isinstance(counts, dict):
        return metadata
    text = json.dumps(counts, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    size = sum(len(key) + len(value) for key, value in metadata.items()) + len(ROW_COUNTS) + len(text)
    return {**metadata, ROW_COUNTS: text} if size <= _METADATA_LIMIT else metadata


async def backup_sha256(backup: BackupFile) -> str:
    """The sha256 of a backup whose sidecar does not record one (Aphrodite's)."""

    def digest() -> str:
        with open_backup(backup) as file:
            return hashlib.file_digest(file, "sha256").hexdigest()

    return await asyncio.to_thread(digest)


def _verify(remote: RemoteObject | None, key: str, sha256: str, sent: _Sent) -> None:
    if remote is None:
        raise OffsiteFailed(f"The store does not list {key} after the upload completed.")
    if remote.size != sent.size:
        raise OffsiteFailed(f"{key} holds {remote.size} bytes in the store, but {sent.size} were sent.")
    if remote.metadata.get("sha256") != sha256:
        raise OffsiteFailed(f"{key} lost its sha256 metadata in the store.")
    etag = remote.etag.strip('"')
    if etag.endswith(f"-{len(sent.part_md5s)}"):  # the standard multipart ETag: md5 of the parts' md5s
        expected = hashlib.md5(b"".join(sent.part_md5s)).hexdigest()
        if etag.split("-")[0] != expected:
            raise OffsiteFailed(f"{key} in the store does not match the parts that were sent (ETag).")
