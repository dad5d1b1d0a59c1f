"""The operators' endpoint on its own: liveness, readiness and why not, and a start that cannot listen."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.ops_http.errors import MetricsUnavailable
from bot.ops_http.metrics import OpsMetrics
from bot.ops_http.server import OpsServer
from bot.state import StateStore
from tests.support.postgres_cluster import free_port

Serve = Callable[..., Awaitable[OpsServer]]


@pytest.fixture
async def serve(state: StateStore) -> AsyncIterator[Serve]:
    """``await serve(connected=..., state=...)``: a started server on a free port, stopped after."""
    started: list[OpsServer] = []

    async def start(*, connected: Callable[[], bool] = lambda: True, store: StateStore = state) -> OpsServer:
        server = OpsServer(
            bind="127.0.0.1", port=free_port(), metrics=OpsMetrics(), state=store, discord_connected=connected
        )
        await server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        await server.stop()


async def get(server: OpsServer, path: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


async def test_livez_answers_while_the_loop_runs_even_when_discord_is_not_connected(serve: Serve) -> None:
    server = await serve(connected=lambda: False)
    assert (await get(server, "/livez"))[0] == 200


async def test_readyz_says_503_and_why_until_discord_is_connected(serve: Serve) -> None:
    connected = False
    server = await serve(connected=lambda: connected)
    status, _, body = await get(server, "/readyz")
    assert (status, body) == (503, "not ready: not connected to Discord\n")
    connected = True
    status, _, body = await get(server, "/readyz")
    assert (status, body) == (200, "ready\n")


async def test_readyz_says_503_when_the_state_store_cannot_be_read(serve: Serve, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    unreadable = StateStore(folder)  # a folder where the SQLite file should be
    try:
        server = await serve(store=unreadable)
        status, _, body = await get(server, "/readyz")
    finally:
        await unreadable.close()
    assert (status, body) == (503, "not ready: the state store cannot be read\n")


async def test_metrics_are_served_in_the_prometheus_text_format(serve: Serve) -> None:
    server = await serve()
    status, content_type, body = await get(server, "/metrics")
    assert status == 200
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert "aphrodite_ops_alert_deliveries_total" in body


async def test_a_port_in_use_stops_the_start_naming_both_settings(state: StateStore) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = OpsServer(
            bind="127.0.0.1", port=port, metrics=OpsMetrics(), state=state, discord_connected=lambda: True
        )
        with pytest.raises(MetricsUnavailable) as raised:
            await server.start()
    message = str(raised.value)
    assert f"127.0.0.1:{port} (METRICS_BIND:METRICS_PORT)" in message and "already in use" in message
    assert "METRICS_PORT" in raised.value.hint and raised.value.exit_code == 3


async def test_an_address_this_machine_does_not_have_names_metrics_bind(state: StateStore) -> None:
    # 192.0.2.0/24 is reserved for documentation: no machine has it.
    server = OpsServer(
        bind="192.0.2.7", port=free_port(), metrics=OpsMetrics(), state=state, discord_connected=lambda: True
    )
    with pytest.raises(MetricsUnavailable, match="no such address") as raised:
        await server.start()
    assert "METRICS_BIND" in raised.value.hint
