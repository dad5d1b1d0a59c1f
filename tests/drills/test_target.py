"""The "drills" alert target: a failed drill, or no good drill for twice the schedule, is a failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.drills.target import DrillOutcome, DrillsTarget, record_drill_outcome
from bot.status import Status

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def test_a_failed_drill_fails_the_target_until_a_drill_passes(state):
    target = DrillsTarget(Settings(drill_schedule_hours=24), state)
    await record_drill_outcome(
        state, DrillOutcome(NOW, "b.sql.gz", False, "table public.x: 2 rows at dump time")
    )
    [failed] = await target(NOW)
    assert failed.status is Status.FAILED and "public.x" in failed.detail
    await record_drill_outcome(state, DrillOutcome(NOW, "b.sql.gz", True, "restores in 3 s"))
    [fine] = await target(NOW)
    assert fine.status is Status.OK


async def test_no_good_drill_for_twice_the_schedule_fails(state):
    target = DrillsTarget(Settings(drill_schedule_hours=6), state)
    await record_drill_outcome(state, DrillOutcome(NOW - timedelta(hours=11), "b.sql.gz", True, "ok"))
    [recent] = await target(NOW)
    assert recent.status is Status.OK
    [stale] = await target(NOW + timedelta(hours=2))
    assert stale.status is Status.FAILED and "No good restore drill for 13 h" in stale.detail


async def test_without_a_schedule_or_a_drill_the_target_is_not_configured(state):
    [result] = await DrillsTarget(Settings(), state)(NOW)
    assert result.status is Status.NOT_CONFIGURED
