"""Interaction callbacks and the interaction webhook: follow-ups and edits of @original."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from .bodies import RequestBody, UploadedFile, read_body, snowflake
from .errors import (
    DiscordRejection,
    FormErrors,
    already_acknowledged,
    invalid_webhook_token,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from .limits import check_choices, check_files, check_message, require_something
from .messages import MessageStore
from .records import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    EPHEMERAL,
    LOADING,
    MODAL,
    UPDATE_MESSAGE,
    HistoryEntry,
    InteractionRecord,
    MessageRecord,
    Signal,
)
from .responses import json_response, no_content
from .world import FakeGuild

ACK_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60.0
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
CHAT_INPUT_COMMAND_MESSAGE = 20


class InteractionRoutes:
    """Answers the bot's responses to the interactions the fake dispatched, Discord's rules applied."""

    def __init__(
        self,
        *,
        interactions: dict[int, InteractionRecord],
        store: MessageStore,
        guild: FakeGuild,
        application_id: int,
        attachment_size_limit: int,
        signal: Signal,
    ) -> None:
        self._interactions = interactions
        self._store = store
        self._guild = guild
        self._application_id = application_id
        self._size_limit = attachment_size_limit
        self._signal = signal

    def add_to(self, router: web.UrlDispatcher, prefix: str) -> None:
        webhook = f"{prefix}/webhooks/{{application_id}}/{{token}}"
        router.add_post(f"{prefix}/interactions/{{interaction_id}}/{{token}}/callback", self.callback)
        router.add_post(webhook, self.followup)
        router.add_get(f"{webhook}/messages/{{message_id}}", self.get_message)
        router.add_patch(f"{webhook}/messages/{{message_id}}", self.edit_message)
        router.add_delete(f"{webhook}/messages/{{message_id}}", self.delete_message)

    async def callback(self, request: web.Request) -> web.Response:
        record = self._interactions.get(snowflake(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["token"]:
            raise unknown_interaction()
        body = await read_body(request)
        return self._logged(record, "callback", body, lambda: self._callback(record, body))

    async def followup(self, request: web.Request) -> web.Response:
        body = await read_body(request)
        wait = request.query.get("wait", "").lower() in ("1", "true")
        return self._webhook_call(
            request, "followup", body, lambda record: self._followup(record, body, wait)
        )

    async def get_message(self, request: web.Request) -> web.Response:
        target = request.match_info["message_id"]
        return self._webhook_call(
            request,
            f"get {target}",
            RequestBody(None),
            lambda record: json_response(self._store.payload(self._target(record, target))),
        )

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await read_body(request)
        target = request.match_info["message_id"]
        return self._webhook_call(
            request, f"edit {target}", body, lambda record: self._edit(record, target, body)
        )

    async def delete_message(self, request: web.Request) -> web.Response:
        target = request.match_info["message_id"]
        return self._webhook_call(
            request, f"delete {target}", RequestBody(None), lambda record: self._delete(record, target)
        )

    def _callback(self, record: InteractionRecord, body: RequestBody) -> web.Response:
        latency = time.monotonic() - record.dispatched_at
        if record.callback_type is not None:
            raise already_acknowledged()
        if latency > ACK_DEADLINE:
            raise DiscordRejection(
                404, 10062, "Unknown interaction", details=(f"callback came {latency:.2f}s after dispatch",)
            )
        payload = body.payload or {}
        kind = payload.get("type")
        message = self._respond(record, kind, payload.get("data") or {}, body)
        record.callback_type = kind
        record.ack_latency = latency
        interaction: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "response_message_loading": kind == DEFERRED_MESSAGE,
            "response_message_ephemeral": message is not None and message.ephemeral,
        }
        if message is None:
            return json_response({"interaction": interaction, "resource": {"type": kind}})
        interaction["response_message_id"] = str(message.id)
        resource = {"type": kind, "message": self._store.payload(message)}
        return json_response({"interaction": interaction, "resource": resource})

    def _respond(
        self, record: InteractionRecord, kind: Any, data: dict[str, Any], body: RequestBody
    ) -> MessageRecord | None:
        """Apply one callback type and return the message it shows, if any."""
        if kind == CHANNEL_MESSAGE:
            self._check_message(data, body, ("data",))
            require_something(data, body.files)
            message_type = CHAT_INPUT_COMMAND_MESSAGE if record.type == APPLICATION_COMMAND else 0
            record.original = self._new_message(record, data, body.files, type=message_type)
        elif kind == DEFERRED_MESSAGE:
            thinking = {"flags": (data.get("flags") or 0) & EPHEMERAL}
            record.original = self._new_message(record, thinking, flags=LOADING)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and record.source_message is not None:
            if kind == UPDATE_MESSAGE:
                self._check_message(data, body, ("data",))
                self._store.edit(record.source_message, data, body.files)
            record.original = record.source_message
            return record.original if kind == UPDATE_MESSAGE else None
        elif kind == AUTOCOMPLETE_RESULT and record.type == AUTOCOMPLETE:
            errors = FormErrors()
            check_choices(data.get("choices"), errors, ("data", "choices"))
            errors.raise_if_any()
            record.choices = data["choices"]
            return None
        elif kind == MODAL and record.type != AUTOCOMPLETE:
            record.modal = data
            return None
        else:
            errors = FormErrors()
            errors.add(["type"], "INTERACTION_CALLBACK_TYPE_INVALID", f"Callback type {kind} is invalid here")
            errors.raise_if_any()
        return record.original

    def _followup(self, record: InteractionRecord, body: RequestBody, wait: bool) -> web.Response:
        payload = body.payload or {}
        self._check_message(payload, body, ())
        require_something(payload, body.files)
        original = record.original
        if record.callback_type == DEFERRED_MESSAGE and original is not None and original.loading:
            # Discord turns the "thinking..." message into the first follow-up; it keeps its ephemerality.
            self._store.edit(original, payload, body.files)
            message = original
        else:
            message = self._new_message(record, payload, body.files)
        record.followups.append(message)
        return json_response(self._store.payload(message)) if wait else no_content()

    def _edit(self, record: InteractionRecord, target: str, body: RequestBody) -> web.Response:
        message = self._target(record, target)
        self._check_message(body.payload or {}, body, ())
        self._store.edit(message, body.payload or {}, body.files)
        return json_response(self._store.payload(message))

    def _delete(self, record: InteractionRecord, target: str) -> web.Response:
        self._store.delete(self._target(record, target))
        return no_content()

    def _target(self, record: InteractionRecord, target: str) -> MessageRecord:
        """``@original`` or a message this interaction created or was clicked on."""
        if target == "@original":
            candidates = [record.original]
        else:
            wanted = snowflake(target)
            candidates = [
                m for m in (record.original, record.source_message, *record.followups) if m and m.id == wanted
            ]
        message = next((m for m in candidates if m is not None and not m.deleted), None)
        if message is None:
            raise unknown_message()
        return message

    def _webhook_call(
        self,
        request: web.Request,
        action: str,
        body: RequestBody,
        answer: Callable[[InteractionRecord], web.Response],
    ) -> web.Response:
        """Answer a call on the webhook of an interaction's token; before the callback it is unknown."""
        token = request.match_info["token"]
        record = next((r for r in self._interactions.values() if r.token == token), None)
        if record is None or snowflake(request.match_info["application_id"]) != self._application_id:
            raise unknown_webhook()

        def after_callback() -> web.Response:
            if record.callback_type is None:
                raise unknown_webhook()
            if record.token_expired or time.monotonic() - record.dispatched_at > TOKEN_LIFETIME:
                raise invalid_webhook_token()
            return answer(record)

        return self._logged(record, action, body, after_callback)

    def _new_message(
        self,
        record: InteractionRecord,
        payload: dict[str, Any],
        files: Sequence[UploadedFile] = (),
        *,
        type: int = 0,
        flags: int = 0,
    ) -> MessageRecord:
        metadata: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "user": record.user.payload(),
            "authorizing_integration_owners": {"0": str(self._guild.id)},
        }
        if record.source_message is not None:
            metadata["interacted_message_id"] = str(record.source_message.id)
        return self._store.create(
            channel_id=record.channel_id,
            author=self._guild.bot_user,
            payload=payload,
            files=files,
            type=type,
            flags=flags,
            webhook_id=self._application_id,
            interaction_metadata=metadata,
        )

    def _check_message(self, payload: dict[str, Any], body: RequestBody, path: tuple[str, ...]) -> None:
        errors = FormErrors()
        check_message(payload, errors, path)
        check_files(body.files, self._size_limit, errors, path)
        errors.raise_if_any()

    def _logged(
        self, record: InteractionRecord, action: str, body: RequestBody, answer: Callable[[], web.Response]
    ) -> web.Response:
        """Run ``answer`` and add the request, with the status it got, to the interaction's history."""
        status = 500
        try:
            response = answer()
            status = response.status
            return response
        except DiscordRejection as rejection:
            status = rejection.status
            raise
        finally:
            elapsed = time.monotonic() - record.dispatched_at
            record.history.append(HistoryEntry(action, body.payload, status, elapsed))
            self._signal.notify()
