"""Whether the monitor's state store works, and the one notice that tells the channel when that changes.

A store that fails does not stop the monitor: its checks and alerts go on from memory (outbox.py).
A corrupt file is moved aside, never deleted, and a fresh one started (`StateStore.set_aside`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.alerts.engine_state import EngineState
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.outbox import Outbox
from bot.alerts.store import AlertStore
from bot.alerts.targets import PersistentTarget
from bot.state_errors import StateUnavailable
from bot.status import Status

log = logging.getLogger(__name__)

_MEANWHILE = (
    "Checks and alerts go on; until it can be written, the monitor keeps its state in memory "
    "(a restart before then forgets open incidents and waiting alerts)."
)
_FRESH = (
    "The monitor started from a fresh state (open incidents are not carried over); checks and alerts go on."
)


class StoreHealth:
    """Saves through the outbox, follows the store's failures and queues the notices about them."""

    def __init__(self, store: AlertStore, outbox: Outbox, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._outbox = outbox
        self._clock = clock
        self.problem: StateUnavailable | None = None

    @property
    def problem_words(self) -> str | None:
        """What is wrong with the store now, for `/alerts status`; None while it works."""
        return None if self.problem is None else str(self.problem)

    async def save(
        self, engine: EngineState, notices: Sequence[Notice], values: Mapping[str, Any] | None = None
    ) -> None:
        """Save like `AlertStore.save`, after what memory holds; on failure all waits in memory, told once."""

        async def save(backlog: Sequence[Notice], posted: Sequence[tuple[Notice, datetime]]) -> None:
            await self._store.save(engine, backlog, values, delivered=posted)

        problem = await self._outbox.save(save, notices)
        if problem is not None:
            told, retry = await self._failed(problem)
            self._outbox.keep(told)
            if retry:  # a fresh file now replaces the corrupt one
                problem = await self._outbox.save(save, ())
        if problem is None:
            self._outbox.keep(self._worked())

    async def load(self, targets: Sequence[PersistentTarget]) -> EngineState:
        """The engine's saved state, ``targets`` restored; what cannot be read starts fresh (told once)."""
        engine = EngineState()
        try:
            engine = await self._store.load_engine()
            for target in targets:
                target.restore(await self._store.read(target.state_key))
        except StateUnavailable as problem:
            told, _ = await self._failed(problem, _FRESH)
            self._outbox.keep(told)
        return engine

    async def pending_count(self) -> int:
        """Notices waiting to be posted, in the store and in memory."""
        try:
            stored = await self._store.pending_count()
        except StateUnavailable:
            stored = 0  # the problem itself is in ``problem``
        return stored + self._outbox.waiting_in_memory

    async def prune(self, now: datetime, history_days: int) -> None:
        """`AlertStore.prune`, or nothing while the store fails (the save that follows says why)."""
        try:
            await self._store.prune(now, history_days)
        except StateUnavailable as problem:
            log.debug("pruning the incident history waits for the state store: %s", problem.reason)

    async def _failed(
        self, problem: StateUnavailable, meanwhile: str = _MEANWHILE
    ) -> tuple[list[Notice], bool]:
        """What to tell the channel, and whether to try again at once (a corrupt file was moved aside)."""
        if problem.corrupt:
            try:
                moved = await self._store.set_aside()
            except StateUnavailable as other:
                problem = other
            else:
                if moved is not None:
                    self._outbox.store_replaced()
                    self.problem = None
                    return [self._reset(moved)], True
        told = []
        if self.problem is None:
            log.warning("%s %s Fix: %s", problem, meanwhile, problem.hint)
            detail = f"{problem} {meanwhile}"
            told.append(
                Notice(NoticeKind.STATE_STORE, self._clock(), Status.FAILED, None, detail, problem.hint)
            )
        self.problem = problem
        return told, False

    def _worked(self) -> list[Notice]:
        """The notice that the store works again, once after a failure."""
        if self.problem is None:
            return []
        self.problem = None
        log.info("the state store %s works again", self._store.path)
        detail = f"The bot's state store {self._store.path} works again: what was kept in memory is saved."
        return [Notice(NoticeKind.STATE_STORE, self._clock(), Status.OK, None, detail)]

    def _reset(self, moved: Path) -> Notice:
        detail = (
            f"The bot's state store {self._store.path} was not a valid SQLite database (damaged or "
            f"truncated). It was moved aside to {moved} and a fresh one started: the incident history "
            "and any alerts still waiting in the old file are not carried over."
        )
        hint = f"Nothing to do. Keep {moved.name} to look into it, or delete it."
        return Notice(NoticeKind.STATE_STORE, self._clock(), Status.DEGRADED, None, detail, hint)
