"""Uptime over the last day and week for every target, as `/alerts status` and the CLI show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.history.store import HistoryStore
from bot.history.uptime import Uptime

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class UptimeSummary:
    """One target's uptime over the last 24 hours and the last 7 days."""

    day: Uptime
    week: Uptime


async def uptime_summaries(store: HistoryStore, now: datetime) -> dict[str, UptimeSummary]:
    """Every recorded target's 24 h and 7-day uptime up to ``now``."""
    days = await store.uptimes(now - DAY, now)
    weeks = await store.uptimes(now - WEEK, now)
    return {target: UptimeSummary(days[target], weeks[target]) for target in days if target in weeks}
