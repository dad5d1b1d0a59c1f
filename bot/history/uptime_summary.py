"""Uptime over the last day and week for every target, in the words and JSON fields the status shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.history.sqlite_file import HistoryUnavailable
from bot.history.store import HistoryStore
from bot.history.uptime import Uptime
from bot.units import human_duration

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
# Less than this much maintenance or unmeasured time in the last day goes unsaid.
SAID_FROM_SECONDS = 60
NO_HISTORY = "no history yet"


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


@dataclass(frozen=True)
class UptimeReading:
    """What a reader of the history found: every recorded target's summary, or why there is none.

    ``missing`` says why as the operator's terminal shows it (the file's full path); ``missing_without_path``
    says the same naming the file alone, for places others read (a Discord channel).
    """

    summaries: dict[str, UptimeSummary] | None
    missing: str | None = None
    missing_without_path: str | None = None


async def read_uptime_summaries(store: HistoryStore, now: datetime) -> UptimeReading:
    """As `uptime_summaries` for readers (the CLI, `/alerts status`) that must not create or fail on the file.

    Opening the store creates the history file, so a missing one is "no history yet"; an unusable
    one is said (the store logs its error) rather than failing the command that wanted the uptime.
    """
    path = store.file.path
    if not path.exists():
        return UptimeReading(None, NO_HISTORY, NO_HISTORY)
    try:
        return UptimeReading(await uptime_summaries(store, now))
    except HistoryUnavailable as error:
        return UptimeReading(None, str(error), str(error).replace(str(path), path.name))


def uptime_line(summary: UptimeSummary) -> str:
    """'Uptime 24 h 99.93 % · 7 d 100 %', and how much of the day was not measured or in maintenance."""
    line = f"Uptime 24 h {_percent_words(summary.day)} · 7 d {_percent_words(summary.week)}"
    day = summary.day
    gaps = [
        f"{human_duration(seconds)} {what}"
        for seconds, what in (
            (day.maintenance_seconds, "maintenance"),
            (day.unmeasured_seconds, "not measured"),
        )
        if seconds >= SAID_FROM_SECONDS
    ]
    return f"{line} (last 24 h: {', '.join(gaps)})" if gaps else line


def _percent_words(uptime: Uptime) -> str:
    """'99.93 %' ('100 %' only when nothing was down, never rounded up to it); '—' when unmeasured."""
    share = uptime.percentage
    if share is None:
        return "—"
    return "100 %" if share >= 100 else f"{min(share, 99.99):.2f} %"


def uptime_fields(summary: UptimeSummary | None) -> dict[str, float | None]:
    """A target's uptime as JSON fields: ``uptime_24h`` and ``uptime_7d``, fractions of measured time,
    and the ``measured_…_seconds`` and ``maintenance_…_seconds`` of each period.

    Every field is None when there is no summary (no history yet, or the target never recorded);
    a fraction is None when nothing was measured in its period.
    """
    return {
        **_period_fields("24h", None if summary is None else summary.day),
        **_period_fields("7d", None if summary is None else summary.week),
    }


def _period_fields(period: str, uptime: Uptime | None) -> dict[str, float | None]:
    keys = (f"uptime_{period}", f"measured_{period}_seconds", f"maintenance_{period}_seconds")
    if uptime is None:
        return dict.fromkeys(keys)
    measured = uptime.measured_seconds
    share = uptime.up_seconds / measured if measured > 0 else None
    return dict(zip(keys, (share, round(measured, 3), round(uptime.maintenance_seconds, 3)), strict=True))
