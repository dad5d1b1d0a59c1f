"""Everything the bot sent to the fake, and every request the fake refused as Discord would."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .bodies import parse_body, string_leaves
from .errors import DiscordRejection, entity_too_large
from .records import Signal
from .responses import json_response

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as received, body untouched."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Violation:
    """A request Discord would have refused, with the answer the fake gave."""

    request: str
    status: int
    code: int
    message: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        details = f": {'; '.join(self.details)}" if self.details else ""
        return f"{self.request} -> {self.status} {self.message} (code {self.code}){details}"


class Traffic:
    """Records requests and refusals; its middleware turns a ``DiscordRejection`` into Discord's answer."""

    def __init__(self, signal: Signal, gateway_frames: list[dict[str, Any]]) -> None:
        self._signal = signal
        self._gateway_frames = gateway_frames
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self.unexpected_routes: list[str] = []

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(request, entity_too_large("the body is larger than the fake accepts"))
        headers = dict(request.headers)
        self.requests.append(
            RecordedRequest(request.method, request.path, request.query_string, headers, body)
        )
        try:
            return await handler(request)
        except DiscordRejection as rejection:
            return self._refuse(request, rejection)
        except Exception as error:
            # A bug in the fake must fail the test, not look like a flaky Discord: 400 is not retried.
            log.exception("fake Discord failed on %s %s", request.method, request.path)
            return self._refuse(
                request, DiscordRejection(400, 0, f"the fake Discord itself failed: {error!r}")
            )

    async def unknown_route(self, request: web.Request) -> web.StreamResponse:
        """The catch-all handler: Discord's bare 404, remembered as an unexpected route."""
        self.unexpected_routes.append(f"{request.method} {request.path}")
        return self._refuse(
            request, DiscordRejection(404, 0, "404: Not Found", details=("route not served",))
        )

    def all_sent_text(self) -> str:
        """Request lines, bodies (raw and JSON-decoded strings) and gateway frames; headers excluded."""
        parts: list[str] = []
        for request in self.requests:
            parts += [
                f"{request.method} {request.path}?{request.query}",
                request.body.decode("utf-8", "replace"),
            ]
            try:
                body = parse_body(request.headers.get("Content-Type", ""), request.body)
            except DiscordRejection:
                continue
            parts += string_leaves(body.payload)
        for frame in self._gateway_frames:
            parts += string_leaves(frame)
        return "\n".join(parts)

    def assert_no_violations(self) -> None:
        """AssertionError listing every refused request, if there was any."""
        if self.violations:
            listing = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(
                f"the bot made {len(self.violations)} request(s) Discord would refuse:\n{listing}"
            )

    def _refuse(self, request: web.Request, rejection: DiscordRejection) -> web.Response:
        self.violations.append(
            Violation(
                f"{request.method} {request.path}",
                rejection.status,
                rejection.code,
                rejection.message,
                rejection.details,
            )
        )
        self._signal.notify()
        return json_response(rejection.body(), status=rejection.status)
