"""Where the monitor's work reaches `OpsMetrics`: its rounds and its alert deliveries.

Both wrap what the monitor is already given (its round observer, its `deliver`), so the monitor
and the outbox need not know that metrics exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.alerts.monitor import RoundObserver
from bot.alerts.notices import Notice
from bot.alerts.outbox import Deliver, NoticeRejected
from bot.alerts.results import TargetResult
from bot.ops_http.metrics import DeliveryOutcome, OpsMetrics


class MeteredRounds:
    """A round observer: records the round in ``metrics``, then hands it to ``then`` (the history)."""

    def __init__(self, metrics: OpsMetrics, then: RoundObserver) -> None:
        self._metrics = metrics
        self._then = then

    async def __call__(self, results: Sequence[TargetResult]) -> None:
        self._metrics.record_round(results)
        await self._then(results)


class MeteredDelivery:
    """A `Deliver` that counts each attempt of ``deliver`` by outcome, then lets the outbox judge it."""

    def __init__(self, metrics: OpsMetrics, deliver: Deliver) -> None:
        self._metrics = metrics
        self._deliver = deliver

    async def __call__(self, notice: Notice, late: bool) -> None:
        # FAILED also when the outbox's timeout cancels the post: the notice stays queued.
        outcome = DeliveryOutcome.FAILED
        try:
            await self._deliver(notice, late)
        except NoticeRejected:
            outcome = DeliveryOutcome.REJECTED
            raise
        else:
            outcome = DeliveryOutcome.DELIVERED
        finally:
            self._metrics.record_delivery(outcome)
