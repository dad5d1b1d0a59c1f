"""The event loop the bot and the CLI run on: uvloop's where it is installed, else asyncio's.

uvloop runs each turn of the loop in C (libuv). The bot's work is many small waits: a restore
sends one statement and waits for its answer, thousands of times on a dump of many objects, and
on asyncio's own loop the loop's turns were about a tenth of that replay (bench/replay_bench.py).
Where uvloop has no wheel (Windows), asyncio's loop runs the same code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

_Result = TypeVar("_Result")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """What makes a new event loop: uvloop's when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, _Result]) -> _Result:
    """Run ``main`` to its end on a new event loop, as asyncio.run does."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
