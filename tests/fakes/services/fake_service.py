"""One fake server's switchable behaviour and the record of what it received."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

MODES = ("ok", "bad_key", "quota", "banned", "slow", "server_error", "garbage", "truncated", "hostile")
DEFAULT_SLOW_DELAY = 1.0

Responder = Callable[["FakeService", web.Request], Awaitable[web.Response]]


@dataclass
class RecordedRequest:
    """One request a fake received; ``finished`` stays None when the client gave up first."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    started: float  # time.monotonic()
    finished: float | None = None


@dataclass
class FakeService:
    """One fake server: its behaviour (``mode``, ``delay``) and what it received (``requests``)."""

    key: str
    responder: Responder = field(repr=False)
    mode: str = "ok"
    delay: float = 0.0
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    # MDBList's counters for today.
    quota_limit: int = 1000
    quota_used: int = 22
    # AniDB: True sends Content-Encoding: gzip; False a raw gzip body without it (both happen).
    gzip_header: bool = True

    def set_mode(self, mode: str, *, delay: float | None = None) -> None:
        only = {"banned": "anidb", "hostile": "omdb"}.get(mode, self.key)
        if mode not in MODES or only != self.key:
            raise ValueError(f"{self.key} has no mode {mode!r}")
        self.mode = mode
        if delay is not None:
            self.delay = delay
        elif mode == "slow" and not self.delay:
            self.delay = DEFAULT_SLOW_DELAY

    @property
    def request_count(self) -> int:
        return len(self.requests)

    async def handle(self, request: web.Request) -> web.Response:
        record = RecordedRequest(request.path, dict(request.query), dict(request.headers), time.monotonic())
        self.requests.append(record)
        if self.delay:
            await asyncio.sleep(self.delay)
        response = await self.responder(self, request)
        record.finished = time.monotonic()
        return response
