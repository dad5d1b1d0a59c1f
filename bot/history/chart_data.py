"""Samples turned into what a chart draws: latency lines with gaps, heartbeat blocks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.history.rollup import is_gap
from bot.history.samples import RawSample
from bot.status import Status

NAN = math.nan
MAX_LINE_POINTS = 720
MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class Line:
    """x as epoch seconds, y with NaN where nothing was measured (drawn as a gap, not interpolated)."""

    times: tuple[float, ...]
    values: tuple[float, ...]


def line_runs(points: Sequence[tuple[int, float]], spacing: float) -> list[list[tuple[int, float]]]:
    """Split time-ordered points wherever two are a gap apart."""
    runs: list[list[tuple[int, float]]] = []
    for point in points:
        if runs and not is_gap(point[0] - runs[-1][-1][0], spacing):
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def gapped_line(
    points: Sequence[tuple[int, float]], spacing: float, span: float, max_points: int = MAX_LINE_POINTS
) -> Line:
    """A line through ``points``, broken at gaps; dense runs averaged into at most ``max_points`` buckets."""
    width = span / max_points if len(points) > max_points else 0
    times: list[float] = []
    values: list[float] = []
    for run in line_runs(points, spacing):
        if times:  # a NaN between runs makes matplotlib lift the pen
            times.append((times[-1] + run[0][0]) / 2)
            values.append(NAN)
        for bucket in _buckets(run, width):
            times.append(sum(at for at, _ in bucket) / len(bucket))
            values.append(sum(value for _, value in bucket) / len(bucket))
    return Line(tuple(times), tuple(values))


def _buckets(run: list[tuple[int, float]], width: float) -> list[list[tuple[int, float]]]:
    if width <= 0:
        return [[point] for point in run]
    buckets: dict[int, list[tuple[int, float]]] = {}
    for point in run:
        buckets.setdefault(int(point[0] // width), []).append(point)
    return list(buckets.values())


def latency_line(samples: Sequence[RawSample], interval: float, span: float) -> Line:
    """Latency of the results that have one (failures usually do not: the line breaks there)."""
    points = [(s.at, float(s.latency_ms)) for s in samples if s.latency_ms is not None and not s.paused]
    return gapped_line(points, interval, span)


def heartbeat_blocks(
    samples: Sequence[RawSample], start: int, end: int, blocks: int
) -> list[Status | str | None]:
    """Per block of [start, end): worst status measured, MAINTENANCE if only paused, None if unmeasured."""
    width = (end - start) / blocks
    states: list[Status | str | None] = [None] * blocks
    for sample in samples:
        index = int((sample.at - start) // width)
        if not 0 <= index < blocks:
            continue
        current = states[index]
        if sample.paused:
            states[index] = current or MAINTENANCE
        elif sample.status is not Status.NOT_CONFIGURED:
            if not isinstance(current, Status) or sample.status.severity > current.severity:
                states[index] = sample.status
    return states
