"""`python -m bot health` (the container's HEALTHCHECK) with a fresh, a stale and a missing heartbeat."""

from __future__ import annotations

import re
import time
from pathlib import Path

from bot.heartbeat import beat, heartbeat_path
from tests.cli.process import Finished, python_m_bot


async def health(tmp_path: Path) -> Finished:
    return await python_m_bot("health", environment={"DATA_DIR": str(tmp_path)}, cwd=tmp_path)


async def test_a_bot_that_just_beat_is_healthy(tmp_path: Path) -> None:
    beat(tmp_path)

    finished = await health(tmp_path)

    assert finished.code == 0 and finished.out.startswith("healthy: last heartbeat")


async def test_a_bot_killed_16_seconds_ago_is_unhealthy(tmp_path: Path) -> None:
    heartbeat_path(tmp_path).write_text(f"{time.time() - 16:.3f}\n")

    finished = await health(tmp_path)

    assert finished.code == 2
    assert re.match(r"unhealthy: last heartbeat 1[6-9] s ago", finished.out)


async def test_without_a_heartbeat_the_bot_is_unhealthy(tmp_path: Path) -> None:
    finished = await health(tmp_path)

    assert finished.code == 2 and "no heartbeat" in finished.out


async def test_a_file_that_is_not_a_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    heartbeat_path(tmp_path).write_text("\x1b[2Jhealthy\n")

    finished = await health(tmp_path)

    assert finished.code == 2 and "no heartbeat" in finished.out
