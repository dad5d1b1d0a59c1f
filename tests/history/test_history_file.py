"""The history file's connection is never closed under a call still running in its worker thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.history.sqlite_file import HistoryFile, read_meta


async def test_a_cancelled_call_keeps_the_connection_until_its_thread_is_done(tmp_path: Path):
    history = HistoryFile(tmp_path / "history.sqlite3")
    started, finished = threading.Event(), threading.Event()

    def slow_read(connection: sqlite3.Connection) -> int:
        started.set()
        time.sleep(0.3)  # a call the event loop cannot stop
        value = read_meta(connection, "rounds")
        finished.set()
        return value

    call = asyncio.create_task(history.run(slow_read))
    await asyncio.to_thread(started.wait, 5)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call

    await history.close()  # at a bot's shutdown: closed only once the thread let go of it

    assert finished.is_set()
