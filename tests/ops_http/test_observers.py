"""Alert deliveries counted by outcome, through the real outbox and its store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.alerts.engine_state import EngineState
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.outbox import DeliveryFailed, NoticeRejected, Outbox
from bot.alerts.store import AlertStore
from bot.ops_http.metrics import OpsMetrics
from bot.ops_http.observers import MeteredDelivery
from bot.state import StateStore
from bot.status import Status

NOW = datetime(2026, 5, 4, tzinfo=UTC)


class Channel:
    """Answers each post with the next of ``answers``: None (posted) or an exception to raise."""

    def __init__(self, *answers: Exception | None) -> None:
        self.answers = list(answers)

    async def deliver(self, notice: Notice, late: bool) -> None:
        answer = self.answers.pop(0)
        if answer is not None:
            raise answer


async def deliveries(state: StateStore, channel: Channel, notices: int, **outbox_options: float) -> dict:
    metrics = OpsMetrics()
    store = AlertStore(state)
    await store.save(EngineState(), [Notice(NoticeKind.TEST, NOW, Status.FAILED) for _ in range(notices)])
    outbox = Outbox(store, MeteredDelivery(metrics, channel.deliver), lambda: NOW, **outbox_options)
    while await store.pending_count() and channel.answers:
        await outbox.flush()
    return {outcome.value: count for outcome, count in metrics.deliveries.items()}


async def test_each_attempt_is_counted_once_by_what_became_of_it(state: StateStore) -> None:
    refused = DeliveryFailed("Discord answered 403", "give the bot Send Messages")
    channel = Channel(refused, None, NoticeRejected("Discord answered 400"), None)
    assert await deliveries(state, channel, 3) == {"delivered": 2, "failed": 1, "rejected": 1}


async def test_a_post_the_outbox_gives_up_on_counts_as_failed(state: StateStore) -> None:
    class Hanging(Channel):
        async def deliver(self, notice: Notice, late: bool) -> None:
            self.answers.pop(0)
            await asyncio.Event().wait()

    counts = await deliveries(state, Hanging(None), 1, timeout=0.01)
    assert counts == {"delivered": 0, "failed": 1, "rejected": 0}
