"""`python -m bot health` (the container's HEALTHCHECK): the heartbeat file, or `/livez` with METRICS_PORT."""

from __future__ import annotations

import re
import time
from pathlib import Path

from bot.heartbeat import beat, heartbeat_path
from bot.ops_http.metrics import OpsMetrics
from bot.ops_http.server import OpsServer
from bot.state import StateStore
from tests.cli.process import Finished, python_m_bot
from tests.fakes.services import closed_port
from tests.support.postgres_cluster import free_port


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


async def test_with_metrics_on_a_bot_whose_livez_answers_is_healthy_without_any_heartbeat(
    tmp_path: Path, state: StateStore
) -> None:
    port = free_port()
    server = OpsServer(  # where a bot with METRICS_BIND=0.0.0.0 is reached from inside its container
        bind="127.0.0.1", port=port, metrics=OpsMetrics(), state=state, discord_connected=lambda: False
    )
    await server.start()
    try:
        environment = {"DATA_DIR": str(tmp_path), "METRICS_PORT": str(port), "METRICS_BIND": "0.0.0.0"}
        finished = await python_m_bot("health", environment=environment, cwd=tmp_path)
    finally:
        await server.stop()

    assert finished.code == 0 and finished.out == f"healthy: http://127.0.0.1:{port}/livez answered\n"


async def test_with_metrics_on_a_bot_that_does_not_listen_is_unhealthy_even_with_a_fresh_heartbeat(
    tmp_path: Path,
) -> None:
    beat(tmp_path)
    environment = {"DATA_DIR": str(tmp_path), "METRICS_PORT": str(closed_port())}

    finished = await python_m_bot("health", environment=environment, cwd=tmp_path)

    assert finished.code == 2 and "cannot be reached" in finished.out and "METRICS_PORT" in finished.out
