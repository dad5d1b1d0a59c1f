"""Scheduled backups: on a timer, with retention, and an alert callback when they fail."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta

from bot.backups.inventory import KIND_SCHEDULED
from bot.backups.progress import BackupProgress
from bot.backups.schedule import (
    SCHEDULER_LABEL,
    BackupScheduler,
    ScheduledBackupDone,
    ScheduledBackupFailure,
)
from bot.config import Settings
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    files_in,
    make_service,
    wrapper_tools,
)


class Recorder:
    """Collects what the scheduler reports, like the bot's alert poster would."""

    def __init__(self) -> None:
        self.failures: list[ScheduledBackupFailure] = []
        self.successes: list[ScheduledBackupDone] = []
        self.event = asyncio.Event()

    async def failed(self, failure: ScheduledBackupFailure) -> None:
        self.failures.append(failure)
        self.event.set()

    async def succeeded(self, done: ScheduledBackupDone) -> None:
        self.successes.append(done)
        self.event.set()


def scheduler(service, recorder: Recorder, **options) -> BackupScheduler:
    options.setdefault("every", timedelta(hours=6))
    options.setdefault("keep", 2)
    return BackupScheduler(service, on_failure=recorder.failed, on_success=recorder.succeeded, **options)


async def test_scheduled_backups_keep_the_newest_of_the_bots_and_spare_aphrodites(backup_service, backup_dir):
    manual = await backup_service.create(label="alice")
    aphrodite_made = backup_dir / "aphrodite_backup_20200101_000000.sql.gz"
    shutil.copy(manual.path, aphrodite_made)
    recorder = Recorder()
    schedule = scheduler(backup_service, recorder, keep=2)

    runs = [await schedule.run_once() for _ in range(4)]

    assert all(run is not None and run.backup.kind == KIND_SCHEDULED for run in runs)
    # The manual backup counts towards BACKUP_KEEP like the scheduled ones: it goes first.
    assert runs[0].pruned == () and runs[1].pruned == (manual.name,)
    assert runs[2].pruned == (runs[0].backup.name,) and runs[3].pruned == (runs[1].backup.name,)
    listed = await backup_service.list()
    assert [b.name for b in listed if not b.made_by_aphrodite] == [runs[3].backup.name, runs[2].backup.name]
    assert aphrodite_made.exists() and not manual.path.exists()
    assert recorder.failures == [] and len(recorder.successes) == 4
    assert runs[0].backup.label == SCHEDULER_LABEL


async def test_failed_scheduled_backup_is_reported_through_the_callback(database, backup_dir, tmp_path):
    tools = wrapper_tools(tmp_path, 'echo "pg_dump: error: connection to server failed" >&2\nexit 1')
    recorder = Recorder()
    schedule = scheduler(
        make_service(database, backup_dir, tools=tools), recorder, retry_after=timedelta(hours=1)
    )

    assert await schedule.run_once() is None
    assert await schedule.run_once() is None

    assert [failure.consecutive_failures for failure in recorder.failures] == [1, 2]
    failure = recorder.failures[-1]
    assert "connection to server failed" in failure.error and "nothing was kept" in failure.error
    assert timedelta(minutes=59) < failure.next_attempt_at - failure.failed_at <= timedelta(hours=1)
    assert files_in(backup_dir) == set()


async def test_busy_service_postpones_the_scheduled_backup_without_an_alert(database, backup_dir, tmp_path):
    slow = make_service(
        database, backup_dir, tools=wrapper_tools(tmp_path, 'sleep 0.6\nexec "$REAL_PG_DUMP" "$@"')
    )
    recorder = Recorder()
    schedule = scheduler(slow, recorder, busy_retry=timedelta(minutes=10))
    dumping = asyncio.Event()

    async def on_progress(progress: BackupProgress) -> None:
        dumping.set()  # the first report comes from inside the lock

    manual = asyncio.create_task(slow.create(label="alice", progress=on_progress))
    await asyncio.wait_for(dumping.wait(), timeout=10)

    assert await schedule.run_once() is None

    assert recorder.failures == []
    assert schedule.next_run_at - datetime.now(UTC) > timedelta(minutes=9)
    await manual


async def test_timer_runs_backups_until_stopped(backup_service):
    recorder = Recorder()
    schedule = scheduler(backup_service, recorder, every=timedelta(seconds=0.3), startup_delay=timedelta(0))

    schedule.start()
    while len(recorder.successes) < 2:
        recorder.event.clear()
        await asyncio.wait_for(recorder.event.wait(), timeout=20)
    await schedule.stop()

    assert not schedule.running and schedule.next_run_at is None
    assert len([b for b in await backup_service.list() if b.kind == KIND_SCHEDULED]) == 2


async def test_next_run_follows_the_newest_scheduled_backup_after_a_restart(backup_service):
    first = await scheduler(backup_service, Recorder()).run_once()
    restarted = scheduler(backup_service, Recorder(), every=timedelta(hours=6))

    restarted.start()
    for _ in range(500):
        if restarted.next_run_at is not None:
            break
        await asyncio.sleep(0.01)
    await_next = restarted.next_run_at
    await restarted.stop()

    assert await_next == first.backup.created_at + timedelta(hours=6)


async def test_schedule_is_off_when_the_interval_is_zero(backup_service):
    schedule = BackupScheduler.from_settings(
        backup_service, Settings(backup_schedule_hours=0), on_failure=Recorder().failed
    )

    schedule.start()

    assert not schedule.enabled and not schedule.running
    on = BackupScheduler.from_settings(
        backup_service, Settings(backup_schedule_hours=6, backup_keep=4), on_failure=Recorder().failed
    )
    assert on.enabled and on.every == timedelta(hours=6) and on.keep == 4
