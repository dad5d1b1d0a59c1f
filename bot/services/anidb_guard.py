"""Keeps the bot from getting banned by AniDB: request spacing, a result cache, and ban memory.

AniDB bans clients that ask more than once per 2 seconds or for the same data repeatedly. So a
request waits for its slot (process-wide), a good answer is reused for hours, any other answer
for a minute, and after a ban nothing is sent until the pause is over, restarts included
(the ban and the cache live in the StateStore, and in memory while the StateStore fails).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.services.anidb import AniDBBanned
from bot.services.result import Outcome
from bot.state import StateStore
from bot.state_errors import StateUnavailable
from bot.status import Status
from bot.units import human_duration

log = logging.getLogger(__name__)

# AniDB's rule is one request per 2 s; the margin absorbs network jitter between us and them.
REQUEST_INTERVAL_SECONDS = 2.2
GOOD_RESULT_REUSED_FOR = timedelta(hours=6)
OTHER_RESULT_REUSED_FOR = timedelta(minutes=1)
BAN_PAUSE = timedelta(hours=12)
STATE_KEY = "services.anidb"
BAN_HINT = (
    "AniDB bans clients that ask too often. Make sure no other program uses this client name; "
    "the bot sends nothing until the pause is over."
)


class RequestSpacing:
    """Starts requests at least ``interval`` seconds apart, whoever asks.

    A caller reserves the next free slot synchronously (no await in between, so no lock is needed
    on one event loop, and none across loops) and then sleeps until it; it is never skipped.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next_slot = 0.0

    async def wait(self) -> None:
        slot = max(time.monotonic(), self._next_slot)
        self._next_slot = slot + self.interval
        # Sleeping until a deadline, not polling: the loop only because asyncio may wake a hair early.
        while (delay := slot - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)


# Every CheckRunner in this process shares it: two runners must not double the request rate.
PROCESS_SPACING = RequestSpacing(REQUEST_INTERVAL_SECONDS)


def fingerprint(*settings: str) -> str:
    """Identifies the request a cached result answers by its settings; new settings mean a new request."""
    return hashlib.sha256("\n".join(settings).encode()).hexdigest()[:16]


class AniDBGuard:
    """Decides whether AniDB may be asked now, and remembers what it said."""

    def __init__(self, state: StateStore, spacing: RequestSpacing, clock: Callable[[], datetime]) -> None:
        self._state = state
        self._spacing = spacing
        self._clock = clock
        self._memory: dict[str, Any] = {}  # the last thing remembered, for when the store fails

    async def run(self, request_id: str, ask: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """The outcome of ``ask()`` when AniDB may be asked now, else the remembered one."""
        try:
            memory: dict[str, Any] = await self._state.get(STATE_KEY, {})
        except StateUnavailable:
            memory = self._memory  # a ban must be honoured even when the store fails
        now = self._clock()
        banned_until = _parse_time(memory.get("banned_until"))
        if banned_until and now < banned_until:
            return _banned(banned_until, memory.get("ban_message", "banned"), now)
        cached = memory.get("cached")
        if cached and cached.get("request") == request_id:
            reused = _reuse(Outcome.from_dict(cached["outcome"]), _parse_time(cached["checked_at"]), now)
            if reused is not None:
                return reused

        await self._spacing.wait()
        try:
            outcome = await ask()
        except AniDBBanned as ban:
            until = self._clock() + BAN_PAUSE
            await self._remember({"banned_until": until.isoformat(), "ban_message": ban.message})
            return _banned(until, ban.message, self._clock())
        cached = {
            "request": request_id,
            "checked_at": self._clock().isoformat(),
            "outcome": outcome.to_dict(),
        }
        await self._remember({"cached": cached})
        return outcome

    async def _remember(self, memory: dict[str, Any]) -> None:
        self._memory = memory
        try:
            await self._state.put(STATE_KEY, memory)
        except StateUnavailable as problem:
            log.warning("AniDB's ban and cache are kept in memory only: %s", problem.reason)


def _reuse(outcome: Outcome, checked_at: datetime | None, now: datetime) -> Outcome | None:
    if checked_at is None:
        return None
    age = now - checked_at
    if outcome.status is Status.OK:
        if age >= GOOD_RESULT_REUSED_FOR:
            return None
        return Outcome(
            Status.OK,
            f"Cached, checked {human_duration(age)} ago: {outcome.detail}",
            outcome.latency_ms,
            (*outcome.facts, ("Cached at", f"{checked_at:%Y-%m-%d %H:%M} UTC")),
        )
    if age >= OTHER_RESULT_REUSED_FOR:
        return None
    return Outcome(
        outcome.status,
        f"{outcome.detail} (result from {human_duration(age)} ago: AniDB is asked at most once a minute "
        "after a failure)",
        outcome.latency_ms,
        outcome.facts,
        outcome.hint,
    )


def _banned(until: datetime, message: str, now: datetime) -> Outcome:
    when = f"{until:%H:%M} UTC" if until.date() == now.date() else f"{until:%Y-%m-%d %H:%M} UTC"
    return Outcome(
        Status.FAILED,
        f"AniDB banned this client; not asking again until {when}",
        None,
        (("AniDB said", message), ("Not asking until", f"{until:%Y-%m-%d %H:%M} UTC")),
        BAN_HINT,
    )


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
