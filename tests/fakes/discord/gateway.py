"""The gateway endpoint: HELLO, IDENTIFY and READY, heartbeats, RESUME, and dispatching events."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from .records import Signal
from .world import FakeGuild

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, RESUME = 0, 1, 2, 3, 6
REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11


class Gateway:
    """One bot session at a time; plain-text JSON frames (no zlib), events kept for RESUME replay."""

    def __init__(
        self,
        guild: FakeGuild,
        application_id: int,
        signal: Signal,
        *,
        heartbeat_interval_ms: int,
        gateway_url: Callable[[], str],
    ) -> None:
        self._guild = guild
        self._application_id = application_id
        self._signal = signal
        self._heartbeat_interval_ms = heartbeat_interval_ms
        self._gateway_url = gateway_url
        self._sockets: set[web.WebSocketResponse] = set()
        self._live: web.WebSocketResponse | None = None
        self._events: list[dict[str, Any]] = []
        self.session_id: str | None = None
        self.ready = False
        self.identify_count = 0
        self.resume_count = 0
        self.received: list[dict[str, Any]] = []

    @property
    def connected(self) -> bool:
        """Whether a socket has identified or resumed and not closed since."""
        return self._live is not None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until either side closes it."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.add(socket)
        try:
            await self._send(socket, {"op": HELLO, "d": {"heartbeat_interval": self._heartbeat_interval_ms}})
            async for message in socket:
                if message.type is WSMsgType.TEXT:
                    await self._on_frame(socket, json.loads(message.data))
                else:
                    log.warning("fake gateway ignored a %s frame", message.type)
        finally:
            self._sockets.discard(socket)
            if self._live is socket:
                self._live = None
            self._signal.notify()
        return socket

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to the live session (RuntimeError if the bot is not connected)."""
        if self._live is None:
            raise RuntimeError(f"cannot dispatch {event}: the bot is not connected to the fake gateway")
        frame = {"op": DISPATCH, "t": event, "s": len(self._events) + 1, "d": data}
        self._events.append(frame)
        await self._send(self._live, frame)

    async def drop(self, code: int) -> None:
        """Close the live session's socket with ``code``, as Discord does when a gateway node restarts."""
        socket = self._live
        if socket is None:
            raise RuntimeError("the bot is not connected to the fake gateway")
        self._live = None
        await socket.close(code=code, message=b"dropped by the test")

    async def close(self) -> None:
        """Close every socket with 1001 (going away)."""
        for socket in list(self._sockets):
            await socket.close(code=1001, message=b"fake Discord is shutting down")

    async def _on_frame(self, socket: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        self.received.append(_without_token(frame))
        if op == HEARTBEAT:
            await self._send(socket, {"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(socket, data)
        elif op == RESUME:
            await self._resume(socket, data)
        elif op == REQUEST_GUILD_MEMBERS:
            await self._send_members(socket, data)
        elif op != PRESENCE_UPDATE:
            log.warning("fake gateway ignored op %s", op)

    async def _identify(self, socket: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identify_count += 1
        self.session_id = uuid.uuid4().hex
        self._events = []
        self._live = socket
        bot = self._guild.bot_user
        ready = {
            "v": 10,
            "user": {**bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None},
            "guilds": [{"id": str(self._guild.id), "unavailable": True}],
            "session_id": self.session_id,
            "resume_gateway_url": self._gateway_url(),
            "application": {"id": str(self._application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "session_type": "normal",
            "user_settings": {},
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self._guild.payload())
        self.ready = True
        self._signal.notify()

    async def _resume(self, socket: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("session_id") != self.session_id or self.session_id is None:
            await self._send(socket, {"op": INVALID_SESSION, "d": False})
            return
        self._live = socket
        self.resume_count += 1
        for frame in self._events[data.get("seq") or 0 :]:
            await self._send(socket, frame)
        await self.dispatch("RESUMED", {})
        self._signal.notify()

    async def _send_members(self, socket: web.WebSocketResponse, data: dict[str, Any]) -> None:
        chunk = {
            "guild_id": str(self._guild.id),
            "members": [self._guild.member_payload(u) for u in self._guild.users],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if "nonce" in data:
            chunk["nonce"] = data["nonce"]
        if socket is self._live:
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    @staticmethod
    async def _send(socket: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        await socket.send_str(json.dumps({"s": None, "t": None, **frame}))


def _without_token(frame: dict[str, Any]) -> dict[str, Any]:
    """IDENTIFY and RESUME carry the token by design; tests search what is left for leaked secrets."""
    data = frame.get("d")
    if not isinstance(data, dict) or "token" not in data:
        return frame
    return {**frame, "d": {k: v for k, v in data.items() if k != "token"}}
