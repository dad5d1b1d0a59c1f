"""Delivering notices in order: what cannot be posted now waits in the store and goes out later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.alerts.notices import Notice
from bot.alerts.store import AlertStore
from bot.errors import OpsError

log = logging.getLogger(__name__)

# A post that hangs must not hold up the monitor's rounds: it is retried with the next one.
DELIVERY_TIMEOUT_SECONDS = 30.0
_RETRY = "the bot retries every round"


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

    async def flush(self) -> int:
        """Deliver what is pending, in order; the number delivered."""
        delivered = 0
        async with self._lock:
            while pending := await self._store.pending():
                for notice in pending:
                    if not await self._deliver_one(notice):
                        return delivered
                    delivered += 1
        return delivered

    async def _deliver_one(self, notice: Notice) -> bool:
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
        await self._store.mark_delivered(notice.id, self._clock())
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
