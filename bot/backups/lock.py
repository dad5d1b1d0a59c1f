"""One backup, restore or deletion at a time, in this process and across processes.

Inside the process the lock is the running operation itself, checked and set without an await
in between, so a second request is refused at once. Across processes (the bot and a CLI run
side by side) an advisory `flock` on a hidden file in the backup folder does the same; the
holder writes what it is doing into that file so the refusal can say it.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from bot.errors import OpsError
from bot.units import human_duration

LOCK_FILE_NAME = ".aphrodite-ops.lock"
_HOLDER_READ_ATTEMPTS = 10


class BackupBusy(OpsError):
    """Another backup or restore is running; the message says which, since when and for whom."""

    def __init__(self, running: RunningOperation | None, *, elsewhere: bool = False) -> None:
        if running is None:
            message = (
                "Another backup or restore is running in another process; try again when it has finished."
            )
        else:
            where = f" (in process {running.pid})" if elsewhere else ""
            message = f"{running.describe()}{where}; try again when it has finished."
        super().__init__(message)
        self.running = running


@dataclass(frozen=True)
class RunningOperation:
    """What holds the lock: ``summary`` reads like "A backup (compressed)"; ``label`` is who asked."""

    summary: str
    label: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    pid: int = field(default_factory=os.getpid)

    def describe(self, now: datetime | None = None) -> str:
        """'A backup (compressed) started 12 s ago by alice is running'."""
        age = ((now or datetime.now(UTC)) - self.started_at).total_seconds()
        return f"{self.summary} started {human_duration(max(age, 0))} ago by {self.label} is running"

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "started_at": self.started_at.isoformat()})

    @classmethod
    def from_json(cls, text: str) -> RunningOperation:
        data = json.loads(text)
        return cls(
            summary=str(data["summary"]),
            label=str(data["label"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            pid=int(data["pid"]),
        )


class OperationLock:
    """Held for the whole of one backup, restore or deletion."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / LOCK_FILE_NAME
        self._current: RunningOperation | None = None

    @property
    def current(self) -> RunningOperation | None:
        """The operation this process is running, if any."""
        return self._current

    @asynccontextmanager
    async def hold(self, operation: RunningOperation) -> AsyncIterator[None]:
        """Run the body as ``operation``, or raise BackupBusy at once if anything else runs."""
        if self._current is not None:
            raise BackupBusy(self._current)
        self._current = operation
        try:
            handle = await asyncio.to_thread(self._lock_file, operation)
        except BaseException:
            self._current = None
            raise
        try:
            yield
        finally:
            # Empty the file while still holding it, so nobody reads a finished holder as running;
            # closing it releases the flock. Both are quick enough not to need a thread.
            handle.truncate(0)
            handle.close()
            self._current = None

    def _lock_file(self, operation: RunningOperation) -> IO[str]:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._path, "a+")  # closed when the lock is released
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            handle.close()
            raise BackupBusy(holder, elsewhere=True) from None
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(operation.to_json())
        handle.flush()
        return handle


def _read_holder(handle: IO[str]) -> RunningOperation | None:
    """What the other holder wrote; it may have just taken the lock and not written yet."""
    for _ in range(_HOLDER_READ_ATTEMPTS):
        handle.seek(0)
        try:
            return RunningOperation.from_json(handle.read())
        except (ValueError, KeyError, TypeError):
            time.sleep(0.02)
    return None
