"""What the fake saw: messages the bot created and interactions it answered, and how to wait for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .bodies import string_leaves
from .world import FakeUser

T = TypeVar("T")

EPHEMERAL = 1 << 6
LOADING = 1 << 7

CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9


class Signal:
    """Wakes every waiter whenever the fake's state changes, so each re-checks its predicate."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
        """Return the first truthy ``predicate()``; TimeoutError naming ``what`` after ``timeout`` s."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = self._event
                    if result := predicate():
                        return result
                    await event.wait()
        except TimeoutError:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}") from None


@dataclass(frozen=True)
class StoredFile:
    """An attachment of a message."""

    id: int
    filename: str
    data: bytes
    description: str | None = None


@dataclass(eq=False)
class MessageRecord:
    """One message, the single copy the fake keeps: edits change it in place wherever it is held."""

    id: int
    channel_id: int
    author: FakeUser
    created_at: str
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    files: list[StoredFile] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    webhook_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    edited_at: str | None = None
    deleted: bool = False

    @property
    def attachments(self) -> list[tuple[str, bytes]]:
        return [(f.filename, f.data) for f in self.files]

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether this is still a deferred "thinking..." message."""
        return bool(self.flags & LOADING)

    def buttons(self) -> list[tuple[str | None, str | None, bool]]:
        """``(custom_id, label, disabled)`` of every button, rows and containers included."""
        return [
            (c.get("custom_id"), c.get("label"), bool(c.get("disabled")))
            for c in _walk(self.components)
            if c.get("type") == 2
        ]

    def component(self, custom_id: str) -> dict[str, Any] | None:
        """The component with that ``custom_id``, if the message has one."""
        return next((c for c in _walk(self.components) if c.get("custom_id") == custom_id), None)

    def all_text(self) -> str:
        """Content, every string in embeds and components, and attachments decoded: all a reader sees."""
        parts = [self.content, *string_leaves(self.embeds), *string_leaves(self.components)]
        for file in self.files:
            parts += [file.filename, file.data.decode("utf-8", errors="replace")]
        return "\n".join(parts)


@dataclass(frozen=True)
class HistoryEntry:
    """One request the bot made for an interaction, and the status the fake answered."""

    action: str
    payload: Any
    status: int
    seconds_after_dispatch: float


@dataclass(eq=False)
class InteractionRecord:
    """An interaction the fake dispatched and everything the bot did with it."""

    id: int
    token: str
    type: int
    user: FakeUser
    channel_id: int
    payload: dict[str, Any]
    signal: Signal = field(repr=False)
    source_message: MessageRecord | None = None
    dispatched_at: float = 0.0
    callback_type: int | None = None
    ack_latency: float | None = None
    original: MessageRecord | None = None
    followups: list[MessageRecord] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    token_expired: bool = False

    @property
    def ephemeral(self) -> bool:
        return self.original is not None and self.original.ephemeral

    @property
    def done(self) -> bool:
        """Answered for good: a message, update, choices or modal, or a deferral followed up."""
        if self.callback_type == DEFERRED_MESSAGE:
            return self.original is not None and (not self.original.loading or self.original.deleted)
        if self.callback_type == DEFERRED_UPDATE:
            return any(entry.action != "callback" and entry.status < 400 for entry in self.history)
        return self.callback_type is not None

    async def wait_acknowledged(self, timeout: float = 5) -> InteractionRecord:
        """Wait for an accepted callback; AssertionError at once if the interaction expired unanswered."""
        try:
            await self.signal.wait_until(
                lambda: self.callback_type is not None or self._expired(), timeout, f"interaction {self.id}"
            )
        except TimeoutError as error:
            raise TimeoutError(f"{error} to be acknowledged; requests so far: {self._summary()}") from None
        if self.callback_type is None:
            raise AssertionError(f"interaction {self.id} expired unanswered; requests: {self._summary()}")
        return self

    async def wait_for(
        self, predicate: Callable[[InteractionRecord], Any], timeout: float = 10
    ) -> InteractionRecord:
        """Wait until ``predicate(self)`` is true; re-checked whenever the fake's state changes."""
        try:
            await self.signal.wait_until(lambda: predicate(self), timeout, f"interaction {self.id}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; requests so far: {self._summary()}") from None
        return self

    async def wait_done(self, timeout: float = 10) -> InteractionRecord:
        """Wait until the answer is final (see ``done``)."""
        await self.wait_acknowledged(timeout)
        return await self.wait_for(lambda record: record.done, timeout)

    def _expired(self) -> bool:
        return any(e.action == "callback" and e.status == 404 for e in self.history)

    def _summary(self) -> list[tuple[str, int]]:
        return [(e.action, e.status) for e in self.history]


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            yield component["accessory"]
