"""The "drills" alert target: the last drill failed, or no good drill for twice DRILL_SCHEDULE_HOURS.

Every drill (from Discord, the CLI or the schedule) records its outcome in the state store; the
monitor reads it each round, so a failed drill is an incident until a drill passes again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alerts.results import TargetResult
from bot.config import Settings
from bot.state import StateStore
from bot.state_errors import StateUnavailable
from bot.status import Status
from bot.units import human_duration

log = logging.getLogger(__name__)

TARGET = "drills"
LAST_DRILL_KEY = "drills.last"
LAST_GOOD_KEY = "drills.last_good"


@dataclass(frozen=True)
class DrillOutcome:
    """The latest drill: when, of which backup, passed or not, and one line on why."""

    at: datetime
    name: str | None
    ok: bool
    summary: str


async def record_drill_outcome(state: StateStore, outcome: DrillOutcome) -> None:
    """Remember the latest drill (and, when it passed, the latest good one) for the target."""
    await state.put(
        LAST_DRILL_KEY,
        {"at": outcome.at.isoformat(), "name": outcome.name, "ok": outcome.ok, "summary": outcome.summary},
    )
    if outcome.ok:
        await state.put(LAST_GOOD_KEY, outcome.at.isoformat())


async def last_good_drill_at(state: StateStore) -> datetime | None:
    """When a drill last passed (what the metrics' drill timestamp starts from after a restart)."""
    good = await state.get(LAST_GOOD_KEY)
    try:
        return datetime.fromisoformat(good) if isinstance(good, str) else None
    except ValueError:
        return None


async def last_drill(state: StateStore) -> DrillOutcome | None:
    record = await state.get(LAST_DRILL_KEY)
    if not isinstance(record, dict):
        return None
    try:
        return DrillOutcome(
            at=datetime.fromisoformat(record["at"]),
            name=record.get("name"),
            ok=bool(record["ok"]),
            summary=str(record["summary"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        log.warning("ignoring an unreadable %s record in the state store: %r", LAST_DRILL_KEY, error)
        return None


class DrillsTarget:
    """Failed: the last drill failed; or the schedule is on and no drill passed for twice its interval."""

    keys: tuple[str, ...] = (TARGET,)

    def __init__(self, settings: Settings, state: StateStore) -> None:
        self._schedule = timedelta(hours=settings.drill_schedule_hours)
        self._state = state

    async def __call__(self, now: datetime) -> list[TargetResult]:
        def result(status: Status, detail: str, hint: str | None = None) -> list[TargetResult]:
            return [TargetResult(TARGET, now, status, None, detail, hint)]

        try:
            last = await last_drill(self._state)
        except StateUnavailable:  # the monitor tells the channel about the store: no drills incident of it
            return result(Status.NOT_CONFIGURED, "The last drill cannot be read while the state store fails")
        if last is None:
            if self._schedule <= timedelta(0):
                return result(Status.NOT_CONFIGURED, "No restore drill yet (DRILL_SCHEDULE_HOURS is off)")
            return result(Status.OK, "No restore drill yet; the schedule runs the first one soon")
        if not last.ok:
            return result(
                Status.FAILED,
                f"Restore drill of {last.name or 'the newest backup'} failed: {last.summary}",
                "Fix the cause above, then /backup drill to run one now.",
            )
        age = now - (await last_good_drill_at(self._state) or last.at)
        if self._schedule > timedelta(0) and age > 2 * self._schedule:
            return result(
                Status.FAILED,
                f"No good restore drill for {human_duration(age)} "
                f"(the schedule runs one every {human_duration(self._schedule)})",
                "Check the bot's log for drills that could not run; /backup drill to run one now.",
            )
        return result(Status.OK, f"Last drill passed {human_duration(age)} ago ({last.name}): {last.summary}")
