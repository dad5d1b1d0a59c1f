"""Progress of a running backup or restore, handed to a caller's callback at a gentle pace."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 1.5


@dataclass(frozen=True)
class BackupProgress:
    """One progress report.

    ``phase`` is one of: "dumping" (pg_dump running), "verifying" (reading the new file back),
    "checking" (reading a backup before a restore), "safety backup", "restoring".
    ``bytes_done`` counts bytes of the backup file written (dumping) or read (checking, restoring);
    ``bytes_total`` is the file size when known. ``sql_bytes`` counts uncompressed SQL.
    """

    operation: str
    phase: str
    elapsed_seconds: float
    bytes_done: int
    bytes_total: int | None = None
    sql_bytes: int = 0


ProgressCallback = Callable[[BackupProgress], Awaitable[None]]


class ProgressReporter:
    """Calls ``callback`` at most once per ``interval``, never waiting for it.

    The callback (a Discord message edit, say) runs as its own task, so a slow or rate-limited
    callback never stalls the dump; a report is skipped while the previous one is still running.
    A failing callback is logged and ignored: the backup matters more than its progress bar.
    """

    def __init__(
        self,
        callback: ProgressCallback | None,
        *,
        operation: str,
        interval: float = DEFAULT_INTERVAL_SECONDS,
    ) -> None:
        self._callback = callback
        self._operation = operation
        self._interval = interval
        self._started = time.monotonic()
        self._last_report = 0.0
        self._pending: asyncio.Task[None] | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def update(self, phase: str, bytes_done: int, bytes_total: int | None = None, sql_bytes: int = 0) -> None:
        """Report now if the interval has passed and no report is in flight."""
        if self._callback is None:
            return
        now = time.monotonic()
        if now - self._last_report < self._interval:
            return
        if self._pending is not None and not self._pending.done():
            return
        self._last_report = now
        progress = BackupProgress(
            operation=self._operation,
            phase=phase,
            elapsed_seconds=now - self._started,
            bytes_done=bytes_done,
            bytes_total=bytes_total,
            sql_bytes=sql_bytes,
        )
        self._pending = asyncio.create_task(self._send(progress))

    def announce(self, phase: str, bytes_done: int = 0, bytes_total: int | None = None) -> None:
        """Report a new phase at once (it changes what the user should read), pace permitting."""
        self._last_report = 0.0
        self.update(phase, bytes_done, bytes_total)

    async def _send(self, progress: BackupProgress) -> None:
        try:
            await self._callback(progress)  # type: ignore[misc]
        except Exception:
            log.warning("progress callback failed; the %s goes on", self._operation, exc_info=True)

    async def close(self) -> None:
        """Wait briefly for a report still in flight, so it never lands after the result."""
        if self._pending is None or self._pending.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._pending), timeout=5)
        except TimeoutError:
            self._pending.cancel()
