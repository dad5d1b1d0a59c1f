"""Posting audit records to AUDIT_CHANNEL_ID in order, the CLI's too, without ever failing an action.

The mirror's progress is one watermark (the id of the last record handled) in the state store: the
records themselves are never touched. The first time a mirror runs it starts with the records made
since it was created (the bot's start), so turning AUDIT_CHANNEL_ID on does not replay the past;
records older than `MIRROR_MAX_AGE` (the channel was unreachable for a week) are left to `/audit`
rather than posted late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.audit.record import AuditRecord
from bot.audit.store import AuditStore
from bot.errors import OpsError

log = logging.getLogger(__name__)

MIRROR_MAX_AGE = timedelta(days=7)
# How often a running mirror looks for records other processes (the CLI) wrote; its own go at once.
POLL_SECONDS = 60.0
POST_TIMEOUT_SECONDS = 30.0


class MirrorFailed(OpsError):
    """The channel does not take records now (missing, no permission, Discord down): retried later."""


class MirrorRejected(OpsError):
    """Discord refused this record itself: it is skipped, not retried."""


Post = Callable[[AuditRecord], Awaitable[None]]


class AuditMirror:
    """Posts the records after the watermark, oldest first; stops at a failure and logs it once per outage.

    `run` flushes every `POLL_SECONDS` (for records other processes wrote) and whenever `wake` is
    called (a record this process wrote).
    """

    def __init__(
        self,
        store: AuditStore,
        post: Post,
        *,
        clock: Callable[[], datetime] | None = None,
        timeout: float = POST_TIMEOUT_SECONDS,
    ) -> None:
        self._store = store
        self._post = post
        self._clock = clock or (lambda: datetime.now(UTC))
        self._created_at = self._clock()
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self.failing: str | None = None

    def wake(self, record: AuditRecord | None = None) -> None:
        """Flush soon (an `Auditor` listener)."""
        self._wake.set()

    async def run(self) -> None:
        """Flush now, then whenever woken or `POLL_SECONDS` pass; until cancelled."""
        while True:
            try:
                await self.flush()
            except Exception:
                log.exception("mirroring audit records failed unexpectedly; retrying later")
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow the cancellation that
            # stops this loop when the wait ends at the same moment, and the bot's close then hangs.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
            self._wake.clear()

    async def flush(self) -> int:
        """Post what the channel has not seen, in order; how many records were handled (posted or skipped)."""
        posted = 0
        async with self._lock:
            through = await self._store.mirrored_through()
            if through is None:
                through = await self._store.newest_id_before(self._created_at)
                await self._store.mark_mirrored_through(through)
            while records := await self._store.after(through):
                for record in records:
                    if not await self._handle(record):
                        return posted
                    through = record.id
                    posted += 1
        return posted

    async def _handle(self, record: AuditRecord) -> bool:
        """Post one record and move the watermark past it; False when the channel failed."""
        if self._clock() - record.at <= MIRROR_MAX_AGE:
            try:
                async with asyncio.timeout(self._timeout):
                    await self._post(record)
            except TimeoutError:
                return self._failed(f"Discord did not answer within {self._timeout:g} s")
            except MirrorFailed as failure:
                return self._failed(str(failure))
            except MirrorRejected as rejected:
                log.error("audit record %d was refused by Discord and not mirrored: %s", record.id, rejected)
        await self._store.mark_mirrored_through(record.id)
        if self.failing is not None:
            log.info("audit records can be posted again; posting the waiting ones in order")
            self.failing = None
        return True

    def _failed(self, reason: str) -> bool:
        if self.failing is None:
            log.warning(
                "audit records cannot be posted to AUDIT_CHANNEL_ID: %s. They are kept and posted in "
                "order once posting works again (/audit shows them meanwhile).",
                reason,
            )
        self.failing = reason
        return False
