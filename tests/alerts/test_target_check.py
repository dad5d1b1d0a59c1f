"""A target's check within the monitor: a crash or a hang fails that target only, logged once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.alerts.store import AlertStore
from bot.status import Status
from tests.alerts.conftest import Channel, Clock
from tests.alerts.monitor_support import Switch, monitor, rounds


async def test_a_check_that_raises_fails_its_target_and_is_logged_once(
    alert_store: AlertStore, channel: Channel, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    broken, fine = Switch("tmdb"), Switch("omdb")
    broken.error = RuntimeError("bug in a check")
    mon = monitor(alert_store, channel, clock, broken, fine)
    with caplog.at_level(logging.ERROR):
        await rounds(mon, clock, 3)
    assert caplog.text.count("monitor check crashed") == 1
    overview = await mon.overview()
    statuses = {t.target: t.status for t in overview.targets}
    assert statuses["tmdb"] is Status.FAILED and statuses["omdb"] is Status.OK
    assert [n.target for n in channel.notices] == ["tmdb"]


async def test_a_hanging_check_becomes_a_failure_after_the_timeout(
    alert_store: AlertStore, channel: Channel, clock: Clock
) -> None:
    hanging = Switch()
    hanging.gate = asyncio.Event()
    mon = monitor(alert_store, channel, clock, hanging, target_timeout=0.1)
    [result] = await mon.run_round()
    assert result.status is Status.FAILED and "0.1 s" in result.detail
