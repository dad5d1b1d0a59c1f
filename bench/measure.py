"""What the backup and restore benchmarks measure: wall time, CPU (children included), peak RSS."""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import psutil


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    size: int = 0


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def measured(work: Callable[[], Awaitable[int]]) -> Sample:
    """Time ``work`` (which returns a size in bytes), wall clock and CPU."""
    cpu, started = cpu_seconds(), time.perf_counter()
    size = await work()
    return Sample(time.perf_counter() - started, cpu_seconds() - cpu, size)


class RssSampler:
    """Peak resident memory of this process, sampled every 10 ms in a thread."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.start_rss = self._process.memory_info().rss
        self.peak_rss = self.start_rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak_rss = max(self.peak_rss, self._process.memory_info().rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak_rss - self.start_rss
