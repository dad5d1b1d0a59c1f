"""Pause, resume and test from another process (the CLI), applied by the running bot's monitor.

The monitor keeps its engine in memory and saves it after every round, so a maintenance window
the CLI wrote straight into the state store would be overwritten by the bot's next round. While
the bot runs, the CLI queues its request here instead; the bot takes it within a heartbeat and
applies it through the same Monitor methods as `/alerts pause|resume|test`, and writes back
what happened. When the bot is not running, the CLI applies the request itself (cli/alert_actions.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from bot.errors import OpsError
from bot.state import StateStore

if TYPE_CHECKING:
    from bot.alerts.monitor import Monitor

log = logging.getLogger(__name__)
T = TypeVar("T")

ACTIONS = ("pause", "resume", "test")
MAX_PAUSE_MINUTES = 7 * 24 * 60  # also /alerts pause's limit
_POLL_SECONDS = 0.25

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL,
    minutes INTEGER,
    requested_by TEXT,
    requested_at TEXT NOT NULL,
    taken_at TEXT,
    outcome TEXT
)
"""


@dataclass(frozen=True)
class AlertRequest:
    """One queued request: ``action`` is one of ACTIONS; ``minutes`` only for a pause."""

    id: int
    action: str
    minutes: int | None
    by: str | None


@dataclass(frozen=True)
class RequestOutcome:
    """What applying a request did: the window's end, whether one was open, or why a test failed."""

    action: str
    paused_until: datetime | None = None
    resumed: bool | None = None
    problem: str | None = None
    fix: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["paused_until"] = None if self.paused_until is None else self.paused_until.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> RequestOutcome:
        data: dict[str, Any] = json.loads(text)
        until = data.get("paused_until")
        data["paused_until"] = None if until is None else datetime.fromisoformat(until)
        return cls(**data)


async def apply_request(monitor: Monitor, request: AlertRequest) -> RequestOutcome:
    """Apply ``request`` through the monitor, as the slash commands do."""
    if request.action == "pause":
        minutes = request.minutes or 0
        if not 1 <= minutes <= MAX_PAUSE_MINUTES:
            raise ValueError(f"a pause of {minutes} minutes is out of range")
        until = await monitor.pause(timedelta(minutes=minutes), by=request.by)
        return RequestOutcome("pause", paused_until=until)
    if request.action == "resume":
        return RequestOutcome("resume", resumed=await monitor.resume(by=request.by))
    problem = await monitor.send_test(by=request.by)
    if problem is None:
        return RequestOutcome("test")
    return RequestOutcome("test", problem=problem.reason, fix=problem.fix)


class RequestQueue:
    """The `alert_requests` table of the bot's state store."""

    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def in_transaction(connection: sqlite3.Connection) -> T:
            connection.execute(_SCHEMA)
            return work(connection)

        return await self._state.run(in_transaction)

    async def submit(self, action: str, minutes: int | None, by: str | None) -> int:
        def work(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(
                "INSERT INTO alert_requests (action, minutes, requested_by, requested_at) "
                "VALUES (?, ?, ?, ?)",
                (action, minutes, by, _now()),
            )
            return int(cursor.lastrowid or 0)

        return await self._run(work)

    async def withdraw(self, request_id: int) -> bool:
        """Remove a request the bot has not taken yet; False when it already took it."""

        def work(connection: sqlite3.Connection) -> bool:
            query = "DELETE FROM alert_requests WHERE id = ? AND taken_at IS NULL"
            return connection.execute(query, (request_id,)).rowcount == 1

        return await self._run(work)

    async def outcome(self, request_id: int) -> RequestOutcome | None:
        def work(connection: sqlite3.Connection) -> str | None:
            row = connection.execute(
                "SELECT outcome FROM alert_requests WHERE id = ?", (request_id,)
            ).fetchone()
            return None if row is None else row[0]

        text = await self._run(work)
        return None if text is None else RequestOutcome.from_json(text)

    async def take_pending(self) -> list[AlertRequest]:
        """The requests nobody took yet, oldest first, marked taken (so they cannot be withdrawn)."""

        def work(connection: sqlite3.Connection) -> list[AlertRequest]:
            rows = connection.execute(
                "SELECT id, action, minutes, requested_by FROM alert_requests "
                "WHERE taken_at IS NULL ORDER BY id"
            ).fetchall()
            connection.executemany(
                "UPDATE alert_requests SET taken_at = ? WHERE id = ?", [(_now(), row[0]) for row in rows]
            )
            return [AlertRequest(*row) for row in rows]

        return await self._run(work)

    async def finish(self, request_id: int, outcome: RequestOutcome) -> None:
        def work(connection: sqlite3.Connection) -> None:
            query = "UPDATE alert_requests SET outcome = ? WHERE id = ?"
            connection.execute(query, (outcome.to_json(), request_id))

        await self._run(work)

    async def apply_pending(self, monitor: Monitor) -> int:
        """The bot's side: apply every waiting request, record each outcome; how many were applied."""
        requests = await self.take_pending()
        for request in requests:
            try:
                outcome = await apply_request(monitor, request)
            except (OpsError, ValueError) as error:
                outcome = RequestOutcome(request.action, problem=str(error))
            log.info("applied the command line's alerts %s request (%s)", request.action, request.by)
            await self.finish(request.id, outcome)
        return len(requests)

    async def wait_for(self, request_id: int, timeout: float) -> RequestOutcome | None:
        """The CLI's side: the outcome once the bot applied it; None when the bot never took it
        within ``timeout`` seconds (then it is withdrawn: nothing was done)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        withdrawn_tried = False
        while True:
            outcome = await self.outcome(request_id)
            if outcome is not None:
                return outcome
            if loop.time() >= deadline and not withdrawn_tried:
                if await self.withdraw(request_id):
                    return None
                withdrawn_tried = True  # taken: it is being applied; wait as long again for its end
                deadline = loop.time() + timeout
            elif loop.time() >= deadline:
                raise RequestUnanswered()
            await asyncio.sleep(_POLL_SECONDS)


class RequestUnanswered(OpsError):
    """The bot took the request but did not say what happened in time."""

    def __init__(self) -> None:
        super().__init__(
            "The running bot took the request but has not reported its outcome yet.",
            hint="look at the bot's log, or `alerts status`",
        )


def _now() -> str:
    return datetime.now(UTC).isoformat()
