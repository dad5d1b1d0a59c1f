"""Work on a shared connection in a worker thread, one call at a time, safe against cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def in_thread_holding(lock: asyncio.Lock, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a worker thread while ``lock`` is held.

    A cancelled caller keeps the lock until the thread is done: a thread cannot be stopped, and a
    connection closed (or used by a second thread) under it would crash the process.
    """
    async with lock:
        task = asyncio.ensure_future(asyncio.to_thread(work, *args))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait([task])
            raise
