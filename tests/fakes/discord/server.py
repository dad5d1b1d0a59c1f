"""FakeDiscord: the REST API and gateway on 127.0.0.1, and the test-facing controls."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, Self

from aiohttp import web

from .command_options import command_data
from .commands import CommandRegistry
from .gateway import Gateway
from .interaction_payloads import interaction_payload
from .messages import MessageStore
from .records import InteractionRecord, MessageRecord, Signal
from .rest import BotRoutes
from .snowflakes import SnowflakeFactory
from .traffic import RecordedRequest, Traffic, Violation
from .webhooks import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, InteractionRoutes
from .world import FakeGuild, FakeUser

API_PREFIX = "/api/v10"
DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
BUTTON = 2


class FakeDiscord:
    """A local Discord the real discord.py client logs into; records traffic and enforces Discord's rules."""

    def __init__(
        self,
        attachment_size_limit: int = DEFAULT_ATTACHMENT_SIZE_LIMIT,
        *,
        heartbeat_interval_ms: int = 41_250,
    ) -> None:
        self._attachment_size_limit = attachment_size_limit
        self._new_id = SnowflakeFactory()
        self._signal = Signal()
        self.guild = FakeGuild(self._new_id)
        self.application_id = self._new_id()
        self.guild_id = self.guild.id
        self.bot_user = self.guild.bot_user
        self.bot_user_id = self.bot_user.id
        self.ops_channel_id = self.guild.ops_channel.id
        self.alert_channel_id = self.guild.alert_channel.id
        self.admin_role_id = self.guild.admin_role.id
        self.owner_role_id = self.guild.owner_role.id
        self.admin_user = self.guild.admin_user
        self.other_admin_user = self.guild.other_admin_user
        self.stranger_user = self.guild.stranger_user
        self.owner_user = self.guild.owner_user
        self._store = MessageStore(self._new_id, self.guild_id)
        self._commands = CommandRegistry(self._new_id, self.application_id)
        self._interactions: dict[int, InteractionRecord] = {}
        self._gateway = Gateway(
            self.guild,
            self.application_id,
            self._signal,
            heartbeat_interval_ms=heartbeat_interval_ms,
            gateway_url=lambda: self.gateway_url,
        )
        self._traffic = Traffic(self._signal, self._gateway.received)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        # Posting here answers 403 Missing Access (recorded as a violation), as when the bot
        # lost its permission; discard the id to give it back.
        self.channels_without_access: set[int] = set()

    async def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        # Files up to the attachment limit must reach the size check rather than aiohttp's own 413.
        app = web.Application(
            middlewares=[self._traffic.middleware], client_max_size=4 * self.attachment_size_limit + 2**20
        )
        app.router.add_get("/gateway", self._gateway.handle)
        bot_routes = BotRoutes(
            guild=self.guild,
            store=self._store,
            commands=self._commands,
            application_id=self.application_id,
            attachment_size_limit=self.attachment_size_limit,
            signal=self._signal,
            gateway_url=lambda: self.gateway_url,
            channels_without_access=self.channels_without_access,
        )
        interaction_routes = InteractionRoutes(
            interactions=self._interactions,
            store=self._store,
            guild=self.guild,
            application_id=self.application_id,
            attachment_size_limit=self.attachment_size_limit,
            signal=self._signal,
        )
        bot_routes.add_to(app.router, API_PREFIX)
        interaction_routes.add_to(app.router, API_PREFIX)
        app.router.add_route("*", "/{tail:.*}", self._traffic.unknown_route)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Close gateway sockets (1001) and stop serving."""
        await self._gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def attachment_size_limit(self) -> int:
        """Bytes per file and per message, sent to the bot as the interactions' ``attachment_size_limit``."""
        return self._attachment_size_limit

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """What ``/gateway/bot`` returns (and ``DiscordWebSocket.DEFAULT_GATEWAY`` may be set to)."""
        return f"{self.base_url.replace('http', 'ws', 1)}/gateway"

    @property
    def connected(self) -> bool:
        """Whether the bot holds an identified gateway session right now."""
        return self._gateway.connected

    @property
    def commands(self) -> list[dict[str, Any]]:
        """Registered commands with their ids: guild ones first, then global ones."""
        return self._commands.all

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._traffic.requests

    @property
    def violations(self) -> list[Violation]:
        """Requests Discord would have refused; ``clear()`` it after asserting on deliberate ones."""
        return self._traffic.violations

    @property
    def unexpected_routes(self) -> list[str]:
        return self._traffic.unexpected_routes

    @property
    def interactions(self) -> list[InteractionRecord]:
        return list(self._interactions.values())

    async def wait_until_ready(self, timeout: float = 10) -> None:
        """Wait until the bot identified and got READY and GUILD_CREATE."""
        await self._signal.wait_until(
            lambda: self._gateway.ready, timeout, "the bot to identify on the gateway"
        )

    async def wait_for_commands(self, timeout: float = 10) -> list[dict[str, Any]]:
        """Wait until a command list was PUT (guild or global) and return ``commands``."""
        await self._signal.wait_until(
            lambda: self._commands.registered, timeout, "the bot to register commands"
        )
        return self.commands

    async def drop_gateway(self, code: int = 4000, timeout: float = 10) -> bool:
        """Close the bot's gateway socket (4000: unknown error) and wait until it is back.

        Returns whether the bot resumed its session (False: it identified anew).
        """
        resumes = self._gateway.resume_count
        await self._gateway.drop(code)
        await self._signal.wait_until(lambda: self._gateway.connected, timeout, "the bot to reconnect")
        return self._gateway.resume_count > resumes

    async def slash(
        self,
        name: str,
        *subcommands: str,
        user: FakeUser,
        options: Mapping[str, object] | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """Invoke ``/name subcommand... option:value``; returns as soon as it is dispatched."""
        command = self._commands.find(name)
        data = command_data(command, subcommands, options or {}, self.guild, user)
        return await self._dispatch(
            APPLICATION_COMMAND, user, channel_id or self.ops_channel_id, data, locale=locale
        )

    async def autocomplete(
        self,
        name: str,
        *subcommands: str,
        focused: str,
        value: str,
        user: FakeUser,
        options: Mapping[str, object] | None = None,
        timeout: float = 5,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` and return the choices the bot sent back."""
        command = self._commands.find(name)
        data = command_data(
            command, subcommands, {**(options or {}), focused: value}, self.guild, user, focused
        )
        record = await self._dispatch(AUTOCOMPLETE, user, self.ops_channel_id, data)
        # discord.py answers autocomplete once and only logs a failure, so the first callback is final.
        await record.wait_for(lambda r: r.history, timeout)
        if record.choices is None:
            raise AssertionError(f"autocomplete got no choices: {record.history[0]}")
        return record.choices

    async def click(self, message: MessageRecord, custom_id: str, *, user: FakeUser) -> InteractionRecord:
        """Press the enabled button ``custom_id`` of ``message``; ValueError if a user could not."""
        button = message.component(custom_id)
        if message.deleted or button is None or button.get("type") != BUTTON or button.get("disabled"):
            raise ValueError(f"message {message.id} has no enabled button {custom_id!r}: {message.buttons()}")
        data = {"custom_id": custom_id, "component_type": BUTTON}
        return await self._dispatch(MESSAGE_COMPONENT, user, message.channel_id, data, source=message)

    def message(self, message_id: int) -> MessageRecord:
        """The live message with that id."""
        return self._store.get(message_id)

    def channel_messages(self, channel_id: int) -> list[MessageRecord]:
        """Messages the bot posted to a channel through the channel route, oldest first."""
        return self._store.in_channel(channel_id)

    async def wait_for_channel_message(
        self,
        channel_id: int,
        predicate: Callable[[MessageRecord], Any] | None = None,
        timeout: float = 10,
    ) -> MessageRecord:
        """The oldest channel message matching ``predicate`` (any if None), waiting for one if needed."""
        matches = predicate or (lambda _: True)
        return await self._signal.wait_until(
            lambda: next((m for m in self.channel_messages(channel_id) if matches(m)), None),
            timeout,
            f"a message in channel {channel_id}",
        )

    def expire_interaction_tokens(self) -> None:
        """Age every interaction's token past Discord's 15 minutes: its webhook calls now get 401 50027."""
        for record in self._interactions.values():
            record.token_expired = True

    def all_sent_text(self) -> str:
        """All the bot sent, bodies and gateway frames, never headers: search it for leaked secrets."""
        return self._traffic.all_sent_text()

    def assert_no_violations(self) -> None:
        """AssertionError listing every request Discord would have refused."""
        self._traffic.assert_no_violations()

    async def _dispatch(
        self,
        type: int,
        user: FakeUser,
        channel_id: int,
        data: dict[str, Any],
        *,
        source: MessageRecord | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        channel = self.guild.channel(channel_id)
        if channel is None:
            raise ValueError(f"the fake guild has no channel {channel_id}")
        interaction_id = self._new_id()
        token = f"aW50ZXJhY3Rpb246{secrets.token_urlsafe(48)}"
        payload = interaction_payload(
            interaction_id=interaction_id,
            token=token,
            type=type,
            user=user,
            channel=channel,
            guild=self.guild,
            application_id=self.application_id,
            attachment_size_limit=self.attachment_size_limit,
            data=data,
            message=None if source is None else self._store.payload(source),
            locale=locale,
        )
        record = InteractionRecord(
            interaction_id, token, type, user, channel.id, payload, self._signal, source
        )
        self._interactions[interaction_id] = record
        record.dispatched_at = time.monotonic()
        await self._gateway.dispatch("INTERACTION_CREATE", payload)
        return record
