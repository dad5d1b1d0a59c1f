"""Fake Jellyfin, OMDb, TMDB, MDBList and AniDB servers on 127.0.0.1, answering like the real APIs.

Each service is its own aiohttp server (own port), with the real status codes and bodies,
including the error bodies, and a switchable behaviour::

    async with running_fake_services() as fakes:
        settings = fakes.settings(HTTP_TIMEOUT_SECONDS="2")  # every service configured, at the fakes
        fakes.omdb.set_mode("quota")                 # one of MODES
        fakes.tmdb.set_mode("slow", delay=1.5)       # or: fakes.tmdb.delay = 0.3 (delays any mode)
        ...
        assert fakes.anidb.request_count == 1        # every request is recorded, with its timing

Modes: ``ok``; ``bad_key`` (the service's own "invalid key" answer); ``quota`` (OMDb's "Request limit
reached!", TMDB's 429 code 25, MDBList's "API Limit Reached!", a proxy's 429 for Jellyfin and AniDB);
``banned`` (AniDB only); ``slow`` (ok after ``delay`` s); ``server_error`` (5xx); ``garbage`` (an
HTML page, echoing the request URL like proxy error pages do); ``truncated`` (half a body);
``hostile`` (OMDb only: an error text full of Discord markup, `answers.HOSTILE_ERROR`).
Credentials are checked for real: a wrong key gets the same answer as ``bad_key``.
`FakeServices.environment()` gives the settings' environment variables (HTTP_TIMEOUT_SECONDS=2 unless
overridden);
`aphrodite_saved_settings()` the JSON Aphrodite keeps in ``system_config``; `closed_port()` a
port with nothing listening. The ``fake_services`` fixture of tests/services/conftest.py shows the
three lines a fixture needs.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.config import Settings, load_settings
from tests.fakes.services.answers import (
    ANIDB_CLIENT,
    ANIDB_CLIENT_VERSION,
    ANIDB_MAIN_TITLE,
    JELLYFIN_API_KEY,
    JELLYFIN_SERVER_NAME,
    JELLYFIN_USER_ID,
    JELLYFIN_VERSION,
    MDBLIST_API_KEY,
    OMDB_API_KEY,
    RESPONDERS,
    SECRETS,
    TMDB_V3_KEY,
    TMDB_V4_TOKEN,
)
from tests.fakes.services.fake_service import MODES, FakeService, RecordedRequest

__all__ = [
    "ANIDB_CLIENT",
    "ANIDB_CLIENT_VERSION",
    "ANIDB_MAIN_TITLE",
    "JELLYFIN_API_KEY",
    "JELLYFIN_SERVER_NAME",
    "JELLYFIN_USER_ID",
    "JELLYFIN_VERSION",
    "MDBLIST_API_KEY",
    "MODES",
    "NO_ANIDB",
    "OMDB_API_KEY",
    "SECRETS",
    "TMDB_V3_KEY",
    "TMDB_V4_TOKEN",
    "FakeService",
    "FakeServices",
    "RecordedRequest",
    "closed_port",
    "running_fake_services",
]

# Settings that leave AniDB unconfigured: its checks are spaced 2.2 s apart process-wide.
NO_ANIDB = {"ANIDB_CLIENT": None, "ANIDB_CLIENT_VERSION": None}


class FakeServices:
    """The five fakes; ``fakes.omdb`` or ``fakes["omdb"]`` is one of them."""

    def __init__(self) -> None:
        self.services = {key: FakeService(key, responder) for key, (responder, _) in RESPONDERS.items()}
        self._runners: list[web.AppRunner] = []

    @property
    def jellyfin(self) -> FakeService:
        return self.services["jellyfin"]

    @property
    def omdb(self) -> FakeService:
        return self.services["omdb"]

    @property
    def tmdb(self) -> FakeService:
        return self.services["tmdb"]

    @property
    def mdblist(self) -> FakeService:
        return self.services["mdblist"]

    @property
    def anidb(self) -> FakeService:
        return self.services["anidb"]

    def __getitem__(self, key: str) -> FakeService:
        return self.services[key]

    async def start(self) -> None:
        for key, (_, path) in RESPONDERS.items():
            fake = self.services[key]
            app = web.Application()
            app.router.add_route("GET", "/{tail:.*}", fake.handle)
            # Cancel a delayed answer when the client gives up, so closing never waits for it.
            runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
            await runner.setup()
            self._runners.append(runner)
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            await web.SockSite(runner, sock).start()
            fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}{path}"

    async def close(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    def environment(self, **overrides: str | None) -> dict[str, str]:
        """Environment variables configuring every service at the fakes; an override of None unsets one."""
        environment = {
            "JELLYFIN_URL": self.jellyfin.url,
            "JELLYFIN_API_KEY": JELLYFIN_API_KEY,
            "JELLYFIN_USER_ID": JELLYFIN_USER_ID,
            "OMDB_URL": self.omdb.url,
            "OMDB_API_KEY": OMDB_API_KEY,
            "TMDB_URL": self.tmdb.url,
            "TMDB_API_KEY": TMDB_V3_KEY,
            "MDBLIST_URL": self.mdblist.url,
            "MDBLIST_API_KEY": MDBLIST_API_KEY,
            "ANIDB_URL": self.anidb.url,
            "ANIDB_CLIENT": ANIDB_CLIENT,
            "ANIDB_CLIENT_VERSION": ANIDB_CLIENT_VERSION,
            "HTTP_TIMEOUT_SECONDS": "2",
        }
        environment.update(overrides)
        return {name: value for name, value in environment.items() if value is not None}

    def settings(self, **overrides: str | None) -> Settings:
        return load_settings(self.environment(**overrides))

    def aphrodite_saved_settings(self) -> dict[str, Any]:
        """What Aphrodite stores in system_config 'settings.yaml', pointing Jellyfin at its fake."""
        return {
            "api_keys": {
                "Jellyfin": [
                    {"url": self.jellyfin.url, "api_key": JELLYFIN_API_KEY, "user_id": JELLYFIN_USER_ID}
                ],
                "OMDB": [{"api_key": OMDB_API_KEY}],
                "TMDB": [{"api_key": TMDB_V3_KEY}],
                "MDBList": [{"api_key": MDBLIST_API_KEY}],
                "aniDB": [
                    {"username": "aphrodite"},
                    {
                        "password": "anidb-pass-5e6f",
                        "version": ANIDB_CLIENT_VERSION,
                        "client_name": ANIDB_CLIENT,
                    },
                ],
            },
            "review_sources": {"imdb": True},
        }


@asynccontextmanager
async def running_fake_services() -> AsyncIterator[FakeServices]:
    """All five fakes, started on free ports and stopped afterwards."""
    fakes = FakeServices()
    await fakes.start()
    try:
        yield fakes
    finally:
        await fakes.close()


def closed_port() -> int:
    """A local port with nothing listening (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
