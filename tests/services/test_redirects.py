"""Redirects: an error names the host that failed, not the first one; credentials stay with their host."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from bot.redact import Redactor
from bot.services.failures import ConnectionFailed, HostNotResolved, NothingListening, ServiceTimeout
from bot.services.probe import HttpProbe
from tests.fakes.services import closed_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A local HTTP server answering every path with ``handler``; its base URL."""
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def redirect_to(location: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(location)

    return handler


@pytest.fixture
async def probe() -> AsyncIterator[HttpProbe]:
    async with aiohttp.ClientSession() as session:
        yield HttpProbe(session, 1.0, Redactor())


async def test_a_redirect_to_a_closed_port_names_that_port(probe: HttpProbe) -> None:
    port = closed_port()
    async with serving(redirect_to(f"http://127.0.0.1:{port}/System/Info")) as first:
        with pytest.raises(NothingListening) as raised:
            await probe.get(f"{first}/System/Info")

    assert f"127.0.0.1:{port}" in raised.value.detail
    assert first.removeprefix("http://") not in raised.value.detail


async def test_a_redirect_to_an_unknown_host_names_it(probe: HttpProbe) -> None:
    async with serving(redirect_to("http://moved-away.invalid/api")) as first:
        with pytest.raises(HostNotResolved, match=r"Host moved-away\.invalid could not be resolved"):
            await probe.get(first)


async def test_a_redirect_to_a_server_that_hangs_names_the_one_that_hangs(probe: HttpProbe) -> None:
    released = asyncio.Event()

    async def hang(request: web.Request) -> web.StreamResponse:
        await released.wait()
        return web.Response(text="late")

    async with serving(hang) as slow, serving(redirect_to(f"{slow}/x")) as first:
        with pytest.raises(ServiceTimeout) as raised:
            await probe.get(first)
        released.set()

    assert slow.removeprefix("http://") in raised.value.detail
    assert first.removeprefix("http://") not in raised.value.detail


async def test_the_answer_after_redirects_is_returned_and_the_key_stays_with_its_host(
    probe: HttpProbe,
) -> None:
    seen: list[tuple[str, str | None]] = []

    async def answer(request: web.Request) -> web.StreamResponse:
        if request.path == "/start":
            raise web.HTTPFound("/moved")
        seen.append((request.path, request.headers.get("Authorization")))
        return web.json_response({"ok": True})

    async with serving(answer) as target, serving(redirect_to(f"{target}/final")) as first:
        same = await probe.get(f"{target}/start", headers={"Authorization": "Bearer key"})
        other = await probe.get(first, headers={"Authorization": "Bearer key"})

    assert same.status == other.status == 200 and same.json() == other.json() == {"ok": True}
    assert seen == [("/moved", "Bearer key"), ("/final", None)]  # another origin never sees the key


async def test_a_redirect_loop_stops_and_says_so(probe: HttpProbe) -> None:
    async with serving(redirect_to("/again")) as looping:
        with pytest.raises(ConnectionFailed, match="redirect"):
            await probe.get(looping)
