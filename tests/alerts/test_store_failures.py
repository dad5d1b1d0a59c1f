"""The monitor when its state store fails: it keeps checking and alerting, and says once what is wrong."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.store import AlertStore
from bot.state import StateStore
from bot.status import Status
from tests.alerts.conftest import Channel, Clock
from tests.alerts.monitor_support import Switch, monitor, rounds
from tests.cli.process import REPO_ROOT
from tests.support import broken_state

# A monitor in a process of its own (whose file writes fail as on a full disk): three rounds over
# a failing target, then what reached the channel, as JSON.
FULL_DISK_MONITOR = """
import asyncio, json, sys
from pathlib import Path
from bot.alerts.engine import AlertPolicy
from bot.alerts.monitor import Monitor
from bot.alerts.store import AlertStore
from bot.state import StateStore
from bot.status import Status
from tests.alerts.monitor_support import Switch

async def main():
    posted = []
    async def deliver(notice, late):
        posted.append({"kind": notice.kind.value, "status": notice.status.value, "detail": notice.detail})
    state = StateStore(Path(sys.argv[1]))
    policy = AlertPolicy(failure_threshold=2, success_threshold=1)
    target = Switch(status=Status.FAILED)
    monitor = Monitor(targets=[target], policy=policy, store=AlertStore(state), deliver=deliver, interval=300)
    for _ in range(3):
        await monitor.run_round()
    await state.close()
    print(json.dumps(posted))

asyncio.run(main())
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def store_notices(channel: Channel) -> list[Notice]:
    return [notice for notice in channel.notices if notice.kind is NoticeKind.STATE_STORE]


def kinds(channel: Channel) -> list[tuple[NoticeKind, Status]]:
    return [(notice.kind, notice.status) for notice in channel.notices]


@pytest.mark.parametrize(
    ("break_it", "says"),
    [
        (broken_state.data_dir_is_a_file, "is a file, not a folder"),
        (broken_state.folder_instead_of_file, "is a folder, not a file"),
    ],
)
async def test_a_store_that_cannot_be_opened_still_alerts_and_says_once_what_to_fix(
    data_dir: Path, channel: Channel, clock: Clock, break_it: Callable[[Path], Path], says: str
) -> None:
    state = StateStore(break_it(data_dir))
    failing = Switch(status=Status.FAILED)
    mon = monitor(AlertStore(state), channel, clock, failing)

    await rounds(mon, clock, 4)

    [told] = store_notices(channel)
    assert told.status is Status.FAILED and says in told.detail and told.hint
    assert (NoticeKind.OPENED, Status.FAILED) in kinds(channel)
    assert failing.calls == 4
    assert says in str((await mon.overview()).store_problem)
    await state.close()


async def test_once_the_store_works_again_the_channel_is_told_and_the_incident_is_in_the_history(
    data_dir: Path, channel: Channel, clock: Clock
) -> None:
    state = StateStore(broken_state.data_dir_is_a_file(data_dir))
    failing = Switch(status=Status.FAILED)
    mon = monitor(AlertStore(state), channel, clock, failing)
    await rounds(mon, clock, 2)  # the incident opens while nothing can be saved

    broken_state.repair_data_dir(data_dir)
    await rounds(mon, clock, 2)

    assert [n.status for n in store_notices(channel)] == [Status.FAILED, Status.OK]
    assert [n.kind for n in channel.notices].count(NoticeKind.OPENED) == 1
    history = await AlertStore(StateStore(state.path)).history(None, clock() - timedelta(days=1), clock())
    assert [record.target for record in history.incidents] == ["tmdb"]
    assert await AlertStore(StateStore(state.path)).pending_count() == 0  # nothing is posted twice
    await state.close()


async def test_a_read_only_store_keeps_the_monitor_alerting_from_memory(
    data_dir: Path, channel: Channel, clock: Clock
) -> None:
    path = broken_state.read_only_file(data_dir)
    state = StateStore(path)
    failing = Switch(status=Status.FAILED)
    mon = monitor(AlertStore(state), channel, clock, failing)
    with broken_state.immutable(path):
        await rounds(mon, clock, 3)
        failing.status = Status.OK
        await rounds(mon, clock, 1)

    [told] = store_notices(channel)
    assert "read-only" in told.detail and "writable" in (told.hint or "")
    assert (NoticeKind.OPENED, Status.FAILED) in kinds(channel)
    assert (NoticeKind.RECOVERED, Status.OK) in kinds(channel)
    await state.close()


@pytest.mark.parametrize("break_it", [broken_state.corrupt_bytes, broken_state.truncated])
async def test_a_corrupt_store_is_moved_aside_once_and_a_fresh_one_started(
    data_dir: Path, channel: Channel, clock: Clock, break_it: Callable[[Path], Path]
) -> None:
    path = break_it(data_dir)
    damaged = path.read_bytes()
    state = StateStore(path)
    mon = monitor(AlertStore(state), channel, clock, Switch(status=Status.FAILED))

    await rounds(mon, clock, 3)

    [told] = store_notices(channel)
    assert told.status is Status.DEGRADED and "moved aside" in told.detail
    [kept] = broken_state.files_in(data_dir, "state.sqlite3.corrupt-*")
    assert (data_dir / kept).read_bytes() == damaged and kept in told.detail
    assert (NoticeKind.OPENED, Status.FAILED) in kinds(channel)
    assert await AlertStore(StateStore(path)).pending_count() == 0  # the fresh file took the outbox
    await state.close()


async def test_a_bad_json_row_starts_the_engine_fresh_and_is_overwritten(
    data_dir: Path, channel: Channel, clock: Clock
) -> None:
    state = StateStore(broken_state.bad_json_row(data_dir))
    mon = monitor(AlertStore(state), channel, clock, Switch(status=Status.FAILED))

    await rounds(mon, clock, 2)

    failed, worked = store_notices(channel)
    assert "cannot read" in failed.detail and worked.status is Status.OK
    assert (NoticeKind.OPENED, Status.FAILED) in kinds(channel)
    assert (await AlertStore(StateStore(state.path)).load_engine()).open_incidents()
    await state.close()


async def test_an_unreadable_notice_in_the_outbox_is_dropped_not_blocking_the_rest(
    state: StateStore, channel: Channel, clock: Clock
) -> None:
    alerts = AlertStore(state)
    mon = monitor(alerts, channel, clock, Switch(status=Status.FAILED))
    await alerts.pending_count()  # creates the outbox table
    await state.run(
        lambda c: c.execute("INSERT INTO alert_outbox (happened_at, notice) VALUES ('x', '{broken')")
    )

    await rounds(mon, clock, 2)

    assert kinds(channel) == [(NoticeKind.OPENED, Status.FAILED)]
    assert await alerts.pending_count() == 0


async def test_a_channel_down_while_the_store_fails_loses_nothing_once_both_work(
    data_dir: Path, channel: Channel, clock: Clock
) -> None:
    state = StateStore(broken_state.folder_instead_of_file(data_dir))
    mon = monitor(AlertStore(state), channel, clock, Switch(status=Status.FAILED))
    channel.broken = True
    await rounds(mon, clock, 3)
    assert channel.notices == []

    shutil.rmtree(state.path)
    channel.broken = False
    await rounds(mon, clock, 1)

    assert kinds(channel) == [
        (NoticeKind.STATE_STORE, Status.FAILED),
        (NoticeKind.OPENED, Status.FAILED),
        (NoticeKind.STATE_STORE, Status.OK),
    ]
    await rounds(mon, clock, 1)  # saves the notice posted from memory, as delivered
    query = "SELECT count(*), count(delivered_at) FROM alert_outbox"
    assert sqlite3.connect(state.path).execute(query).fetchone() == (3, 3)
    assert len(channel.notices) == 3
    await state.close()


async def test_a_read_only_folder_keeps_the_monitor_alerting(
    data_dir: Path, channel: Channel, clock: Clock
) -> None:
    broken_state.read_only_file(data_dir)
    state = StateStore(data_dir / broken_state.STATE_FILE)
    mon = monitor(AlertStore(state), channel, clock, Switch(status=Status.FAILED))
    with broken_state.immutable(data_dir):  # no journal can be created beside the file
        await rounds(mon, clock, 3)

    [told] = store_notices(channel)
    assert told.status is Status.FAILED and "writable" in (told.hint or "")
    assert (NoticeKind.OPENED, Status.FAILED) in kinds(channel)
    await state.close()


def test_on_a_full_disk_the_monitor_still_alerts_and_says_what_to_free(data_dir: Path) -> None:
    limit = broken_state.full_disk_limit(data_dir)

    finished = subprocess.run(
        [sys.executable, "-c", FULL_DISK_MONITOR, str(data_dir / broken_state.STATE_FILE)],
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )

    assert finished.returncode == 0, finished.stderr
    posted = json.loads(finished.stdout)
    assert [(p["kind"], p["status"]) for p in posted] == [("state_store", "failed"), ("opened", "failed")]
    assert "is the disk full" in posted[0]["detail"]
