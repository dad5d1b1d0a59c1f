"""One backup to the store: sent in parts, many at once, then checked against what was sent.

A thread cuts the backup into parts (bot.offsite.parts): the backup's own regions, or its age
encryption written into a scratch file in BACKUP_DIR (bot.offsite.scratch). Each part is sent
as soon as it is made, `PARTS_IN_FLIGHT` at once, its body read from its file region while it
goes (bot.offsite.regions), so memory holds chunks, not parts, whatever the backup's size.
Each part goes with its Content-MD5 (the store refuses a part that arrived damaged); after
completion the object's size, its `sha256` metadata and, for a standard multipart ETag, the ETag
are compared with what was sent. The `sha256` is the unencrypted backup's (the sidecar's),
checked again while reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from bot.backups.inventory import BackupFile, open_backup
from bot.backups.progress import ProgressReporter
from bot.offsite.errors import OffsiteFailed
from bot.offsite.parts import EncryptedParts, NoRoom, Part, PlainParts, Slots
from bot.offsite.regions import RegionBody, Regions, outlive, region_md5
from bot.offsite.scratch import disk_full, open_scratch, sweep_upload_leftovers
from bot.offsite.store import MultipartUpload, ObjectStore, RemoteObject
from bot.offsite.switching import short_switch_interval

log = logging.getLogger(__name__)

DEFAULT_PART_SIZE = 8 * 1024 * 1024  # as boto3's upload_file (S3's smallest is 5 MiB)
PARTS_IN_FLIGHT = 10  # as boto3's, and aiobotocore's connection pool
SLOTS = PARTS_IN_FLIGHT + 2  # the parts in flight, the one waiting for them, the one being made
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
    async with contextlib.AsyncExitStack() as stack:
        source = await asyncio.to_thread(open_backup, backup)
        stack.push_async_callback(asyncio.to_thread, source.close)
        slots, made = Slots(SLOTS), _Made()
        maker: PlainParts | EncryptedParts
        if recipients is None:
            maker, regions = PlainParts(source, part_size, slots, made.put), Regions(source)
        else:
            scratch = await asyncio.to_thread(_scratch_for, backup)
            stack.push_async_callback(asyncio.to_thread, scratch.close)
            maker, regions = (
                EncryptedParts(source, scratch, part_size, slots, made.put, recipients),
                Regions(scratch),
            )
        stack.push_async_callback(regions.stop)  # before its file closes
        try:
            return await _send_parts(upload, maker, regions, slots, made, reporter, backup.size)
        except NoRoom:
            raise disk_full(backup.path.parent, backup.name, SLOTS * part_size) from None


def _scratch_for(backup: BackupFile) -> BinaryIO:
    if swept := sweep_upload_leftovers(backup.path.parent):
        log.info("removed what killed uploads left in %s: %s", backup.path.parent, ", ".join(swept))
    return open_scratch(backup.path.parent, backup.name)


class _Made:
    """The parts as the thread makes them, for the event loop, in order; None after the last."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Part | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()

    def put(self, part: Part | None) -> None:
        """From the thread, never waiting (the slots bound how many there are)."""
        self._loop.call_soon_threadsafe(self._queue.put_nowait, part)

    async def get(self) -> Part | None:
        return await self._queue.get()


async def _send_parts(
    upload: MultipartUpload,
    maker: PlainParts | EncryptedParts,
    regions: Regions,
    slots: Slots,
    made: _Made,
    reporter: ProgressReporter | None,
    backup_size: int,
) -> _Sent:
    def produce() -> str:
        try:
            return maker.run()
        finally:
            made.put(None)

    md5s: dict[int, bytes] = {}

    async def send_part(part: Part) -> None:
        try:
            md5 = part.md5 if part.md5 is not None else await regions.run(region_md5, part.offset, part.size)
            md5s[part.number] = md5
            await upload.send(part.number, RegionBody(regions, part.offset, part.size), md5)
        finally:
            slots.give(part.slot)

    producer = asyncio.ensure_future(asyncio.to_thread(produce))
    sending: set[asyncio.Task[None]] = set()
    try:
        while (part := await made.get()) is not None:
            if len(sending) >= PARTS_IN_FLIGHT:
                done, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            sending.add(asyncio.create_task(send_part(part)))
            if reporter is not None:
                reporter.update("uploading", maker.bytes_read, backup_size)
        await asyncio.gather(*sending)
        sha256 = await producer
    except BaseException:
        for task in sending:
            task.cancel()
        slots.abandon()
        await outlive([producer, *sending])  # the thread and the requests end before the files close
        raise
    return _Sent(maker.size, sha256, tuple(md5s[number] for number in range(1, len(md5s) + 1)))


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
