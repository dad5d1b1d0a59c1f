"""Routes the bot calls with its token: gateway lookup, identity, commands and channel messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from .bodies import RequestBody, read_body, snowflake
from .commands import CommandRegistry
from .errors import FormErrors, missing_access, unauthorized, unknown_channel, unknown_message
from .limits import check_commands, check_files, check_message, require_something
from .messages import MessageStore
from .records import MessageRecord, Signal
from .responses import json_response, no_content
from .traffic import Handler
from .world import FakeChannel, FakeGuild


class BotRoutes:
    """Handlers for the token-authenticated API; a request without ``Authorization: Bot ...`` gets 401."""

    def __init__(
        self,
        *,
        guild: FakeGuild,
        store: MessageStore,
        commands: CommandRegistry,
        application_id: int,
        attachment_size_limit: int,
        signal: Signal,
        gateway_url: Callable[[], str],
        channels_without_access: set[int],
    ) -> None:
        self._guild = guild
        self._without_access = channels_without_access
        self._store = store
        self._commands = commands
        self._application_id = application_id
        self._size_limit = attachment_size_limit
        self._signal = signal
        self._gateway_url = gateway_url

    def add_to(self, router: web.UrlDispatcher, prefix: str) -> None:
        app = f"{prefix}/applications/{{application_id}}"
        message = f"{prefix}/channels/{{channel_id}}/messages/{{message_id}}"
        routes: list[tuple[str, str, Handler]] = [
            ("GET", f"{prefix}/gateway", self.gateway),
            ("GET", f"{prefix}/gateway/bot", self.gateway_bot),
            ("GET", f"{prefix}/users/@me", self.current_user),
            ("GET", f"{prefix}/applications/@me", self.application),
            ("GET", f"{prefix}/oauth2/applications/@me", self.application),
            ("GET", f"{app}/commands", self.list_commands),
            ("PUT", f"{app}/commands", self.overwrite_commands),
            ("GET", f"{app}/guilds/{{guild_id}}/commands", self.list_commands),
            ("PUT", f"{app}/guilds/{{guild_id}}/commands", self.overwrite_commands),
            ("GET", f"{prefix}/channels/{{channel_id}}", self.get_channel),
            ("POST", f"{prefix}/channels/{{channel_id}}/messages", self.post_message),
            ("GET", message, self.get_message),
            ("PATCH", message, self.edit_message),
            ("DELETE", message, self.delete_message),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, _with_bot_token(handler))

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self._gateway_url()})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self._gateway_url(), "shards": 1, "session_start_limit": limit})

    async def current_user(self, request: web.Request) -> web.Response:
        return json_response(
            {**self._guild.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0}
        )

    async def application(self, request: web.Request) -> web.Response:
        bot = self._guild.bot_user
        return json_response(
            {
                "id": str(self._application_id),
                "name": bot.name,
                "icon": None,
                "description": "",
                "summary": "",
                "rpc_origins": [],
                "bot_public": False,
                "bot_require_code_grant": False,
                "bot": bot.payload(),
                "owner": self._guild.owner_user.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": 1,
            }
        )

    async def list_commands(self, request: web.Request) -> web.Response:
        return json_response(self._commands.listing(self._scope(request)))

    async def overwrite_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        commands = (await read_body(request)).payload
        errors = FormErrors()
        if not isinstance(commands, list):
            errors.add([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        else:
            check_commands(commands, errors)
        errors.raise_if_any()
        stored = self._commands.overwrite(scope, commands)
        self._signal.notify()
        return json_response(stored)

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._guild.channel_payload(self._channel(request)))

    async def post_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if channel.id in self._without_access:
            raise missing_access()
        body = await read_body(request)
        payload = body.payload or {}
        self._check(payload, body)
        require_something(payload, body.files)
        author = self._guild.bot_user
        record = self._store.create(channel_id=channel.id, author=author, payload=payload, files=body.files)
        self._signal.notify()
        return json_response(self._store.payload(record))

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self._store.payload(self._message(request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        record = self._message(request)
        body = await read_body(request)
        self._check(body.payload or {}, body)
        self._store.edit(record, body.payload or {}, body.files)
        self._signal.notify()
        return json_response(self._store.payload(record))

    async def delete_message(self, request: web.Request) -> web.Response:
        self._store.delete(self._message(request))
        self._signal.notify()
        return no_content()

    def _scope(self, request: web.Request) -> int | None:
        """The guild of a guild-command route (None for global); other guilds are out of reach."""
        if snowflake(request.match_info["application_id"]) != self._application_id:
            raise missing_access()
        guild_id = request.match_info.get("guild_id")
        if guild_id is not None and snowflake(guild_id) != self._guild.id:
            raise missing_access()
        return None if guild_id is None else self._guild.id

    def _channel(self, request: web.Request) -> FakeChannel:
        channel = self._guild.channel(snowflake(request.match_info["channel_id"]))
        if channel is None:
            raise unknown_channel()
        return channel

    def _message(self, request: web.Request) -> MessageRecord:
        """A message of this channel; ephemeral ones exist only for their interaction's webhook."""
        channel = self._channel(request)
        record = self._store.get(snowflake(request.match_info["message_id"]))
        if record.channel_id != channel.id or record.ephemeral:
            raise unknown_message()
        return record

    def _check(self, payload: dict[str, Any], body: RequestBody) -> None:
        errors = FormErrors()
        check_message(payload, errors)
        check_files(body.files, self._size_limit, errors)
        errors.raise_if_any()


def _with_bot_token(handler: Handler) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Authorization", "").startswith("Bot "):
            raise unauthorized()
        return await handler(request)

    return checked
