"""The drill schedule: due one interval after the last drill, postponed (not failed) while others run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.backups.lock import RunningOperation
from bot.drills.schedule import DrillScheduler
from bot.drills.target import DrillOutcome, last_drill, record_drill_outcome


async def _nothing(_done) -> None:
    return None


async def test_the_next_drill_is_due_one_interval_after_the_last_one_recorded(drills, state):
    last = datetime.now(UTC) - timedelta(hours=1)
    await record_drill_outcome(state, DrillOutcome(last, "b.sql.gz", True, "ok"))
    scheduler = DrillScheduler(drills, state, every=timedelta(hours=24), on_done=_nothing)

    assert await scheduler.first_run_at() == last + timedelta(hours=24)


async def test_a_drill_due_while_a_backup_runs_is_postponed_without_a_failure(backups, drills, state):
    await backups.create(label="alice")
    heard = []

    async def on_done(done) -> None:
        heard.append(done)

    scheduler = DrillScheduler(drills, state, every=timedelta(hours=24), on_done=on_done)
    async with backups.lock.hold(RunningOperation("A backup (compressed)", "bob")):
        assert await scheduler.run_once() is None
    assert heard == [] and await last_drill(state) is None
    assert scheduler.next_run_at < datetime.now(UTC) + timedelta(hours=1)

    done = await scheduler.run_once()
    assert done is not None and done.ok and heard == [done]
