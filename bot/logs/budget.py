"""Time budget and threads for log work, so that no log search can starve the rest of the bot.

Log work runs on its own small thread pool, never on asyncio's default executor that every
other command uses for its file and subprocess work: however many hostile searches are asked
for, `/backup list` still gets a thread. At most ``WORKERS`` run at once and ``QUEUED`` wait;
more are refused with a clear message. Each operation gets a `Deadline`, checked between
chunks: when it passes, the scan stops and the result says how far it got.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.errors import OpsError

WORKERS = 2
QUEUED = 4
Result = TypeVar("Result")


class LogBusy(OpsError):
    """Too many log operations are already running or waiting."""


class OutOfTime(Exception):
    """Raised inside a scan when its deadline has passed; the scan reports what it finished."""


class Deadline:
    """The moment a log operation must stop, measured on the monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() >= self._ends

    def check(self) -> None:
        """OutOfTime when the deadline has passed."""
        if self.passed():
            raise OutOfTime


class LogWorkers:
    """A bounded pool of threads for log work, with a bounded queue in front of it."""

    def __init__(self, workers: int = WORKERS, queued: int = QUEUED) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="log-work")
        self._slots = asyncio.Semaphore(workers)
        self._admitted = 0
        self._limit = workers + queued

    async def run(self, work: Callable[[], Result]) -> Result:
        """Run ``work`` on a log thread; LogBusy when too many operations are already admitted."""
        if self._admitted >= self._limit:
            raise LogBusy(
                f"{self._admitted} log operations are already running or waiting: try again in a minute."
            )
        self._admitted += 1
        try:
            async with self._slots:
                return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        finally:
            self._admitted -= 1

    def close(self) -> None:
        """Stop taking work; running scans end at their deadline."""
        self._executor.shutdown(wait=False, cancel_futures=True)
