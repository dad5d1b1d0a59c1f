"""Feeds the monitor's rounds into the history: every result, and the database's size once an hour."""

from __future__ import annotations

from collections.abc import Sequence

from bot.database.connection import Database
from bot.history.sampler import GrowthSampler
from bot.history.samples import Measurement
from bot.history.store import HistoryStore


class RoundRecorder:
    """The monitor's round observer (``Monitor(on_round=RoundRecorder(...))``).

    Errors propagate: the monitor logs an observer's failure once and keeps monitoring.
    """

    def __init__(self, store: HistoryStore, database: Database) -> None:
        self._store = store
        self._database = database
        self._sampler = GrowthSampler(store.sizes)

    async def __call__(self, results: Sequence[Measurement]) -> None:
        if not results:
            return
        await self._store.record(results)
        if self._database.configured:
            await self._sampler.maybe_sample(self._database, max(result.at for result in results))
