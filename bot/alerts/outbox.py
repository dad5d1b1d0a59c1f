"""Delivering notices in order: what cannot be posted now waits in the store and goes out later.

While the store itself fails, notices wait in memory instead (oldest dropped past a bound) and
are still posted; the first save that works stores them, the posted ones as delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.alerts.notices import Notice
from bot.alerts.store import AlertStore
from bot.errors import OpsError
from bot.state_errors import StateUnavailable

log = logging.getLogger(__name__)

# A post that hangs must not hold up the monitor's rounds: it is retried with the next one.
DELIVERY_TIMEOUT_SECONDS = 30.0
_RETRY = "the bot retries every round"
# What memory holds while the store fails: bounded, as a failing store may not recover for days.
MEMORY_LIMIT = 500
# Saves the notices (those posted already, with when, first) into the store; raises StateUnavailable.
SaveNotices = Callable[[Sequence[Notice], Sequence[tuple[Notice, datetime]]], Awaitable[object]]


class DeliveryFailed(OpsError):
    """The channel did not take the notice now (missing, no permission, Discord down); it stays queued.

    ``reason`` says what happened, ``fix`` what to do; both are shown in the bot's log.
    """

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"{reason} — {fix}")
        self.reason = reason
        self.fix = fix


class NoticeRejected(OpsError):
    """Discord refused this notice itself (it will never be accepted): it is dropped, not retried."""


# ``late`` is True when the notice is posted well after it happened: the message must say when.
Deliver = Callable[[Notice, bool], Awaitable[None]]


class Outbox:
    """Posts pending notices oldest first; stops at the first failure and logs it once per outage."""

    def __init__(
        self,
        store: AlertStore,
        deliver: Deliver,
        clock: Callable[[], datetime],
        *,
        late_after: timedelta = timedelta(minutes=1),
        timeout: float = DELIVERY_TIMEOUT_SECONDS,
    ) -> None:
        self._store = store
        self._deliver = deliver
        self._clock = clock
        self._late_after = late_after
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self.failing: DeliveryFailed | None = None
        self._unsaved: list[Notice] = []  # not in the store (it failed), not posted yet
        self._posted_unsaved: list[tuple[Notice, datetime]] = []  # posted, not in the store yet
        self._unmarked: dict[int, datetime] = {}  # stored, posted, but the store failed to mark them

    @property
    def waiting_in_memory(self) -> int:
        """Notices the store could not take that are not posted yet."""
        return len(self._unsaved)

    def keep(self, notices: Sequence[Notice]) -> None:
        """Queue ``notices`` in memory, behind the others (the store's own failure notices)."""
        self._unsaved.extend(notices)
        if len(self._unsaved) > MEMORY_LIMIT:
            dropped = len(self._unsaved) - MEMORY_LIMIT
            log.error(
                "the state store still fails: the %d oldest alerts waiting in memory are dropped", dropped
            )
            del self._unsaved[:dropped]

    def store_replaced(self) -> None:
        """A fresh file replaced the store: ids remembered from the old one mean other notices now."""
        self._unmarked.clear()

    async def save(self, save: SaveNotices, notices: Sequence[Notice]) -> StateUnavailable | None:
        """Store ``notices`` behind those the store could not take before; the store's problem, if any.

        When ``save`` fails, ``notices`` wait in memory and are posted from there.
        """
        async with self._lock:
            try:
                await save([*self._unsaved, *notices], list(self._posted_unsaved))
            except StateUnavailable as problem:
                self.keep(notices)
                return problem
            self._unsaved.clear()
            self._posted_unsaved.clear()
            return None

    async def flush(self) -> int:
        """Deliver what is pending, in order (the store's, then memory's); the number delivered."""
        delivered = 0
        async with self._lock:
            try:
                await self._mark_unmarked()
                while pending := [n for n in await self._store.pending() if n.id not in self._unmarked]:
                    for notice in pending:
                        if not await self._deliver_one(notice):
                            return delivered
                        delivered += 1
                        await self._mark(notice)
            except StateUnavailable as problem:
                log.debug("the outbox cannot be read (%s); posting what memory holds", problem.reason)
            while self._unsaved:
                if not await self._deliver_one(self._unsaved[0]):
                    return delivered
                delivered += 1
                self._posted_unsaved.append((self._unsaved.pop(0), self._clock()))
                del self._posted_unsaved[:-MEMORY_LIMIT]
        return delivered

    async def _mark(self, notice: Notice) -> None:
        """Mark a posted notice delivered; if the store fails, remember it so it is not posted twice."""
        at = self._clock()
        try:
            await self._store.mark_delivered(notice.id, at)
        except StateUnavailable:
            self._unmarked[notice.id] = at
            raise

    async def _mark_unmarked(self) -> None:
        for notice_id, at in list(self._unmarked.items()):
            await self._store.mark_delivered(notice_id, at)
            del self._unmarked[notice_id]

    async def _deliver_one(self, notice: Notice) -> bool:
        """Post ``notice``: True when done with it (posted, or refused for good)."""
        late = self._clock() - notice.at > self._late_after
        try:
            await asyncio.wait_for(self._deliver(notice, late), timeout=self._timeout)
        except TimeoutError:
            self._failed(DeliveryFailed(f"Discord did not answer within {self._timeout:g} s", _RETRY))
            return False
        except DeliveryFailed as failure:
            self._failed(failure)
            return False
        except NoticeRejected as rejected:
            log.error(
                "alert %d (%s) was refused by Discord and dropped: %s", notice.id, notice.kind.value, rejected
            )
        except Exception:
            log.exception("posting alert %d failed unexpectedly; it stays queued", notice.id)
            self._failed(DeliveryFailed("an unexpected error (see above)", _RETRY))
            return False
        if self.failing is not None:
            log.info("alerts can be posted again; delivering the waiting ones in order")
            self.failing = None
        return True

    def _failed(self, failure: DeliveryFailed) -> None:
        if self.failing is None:
            log.warning(
                "alerts cannot be posted: %s — %s. They wait in the outbox and go out in order once "
                "posting works again.",
                failure.reason,
                failure.fix,
            )
        self.failing = failure
