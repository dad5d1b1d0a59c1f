"""Samples turned into what a chart draws: latency lines with gaps, heartbeat blocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.history.rollup import GAP_FACTOR
from bot.history.samples import RawSample
from bot.status import Status

MAX_LINE_POINTS = 720
MAINTENANCE = "maintenance"
_BY_SEVERITY = {status.severity: status for status in Status}


@dataclass(frozen=True)
class Line:
    """x as epoch seconds, y with NaN where nothing was measured (drawn as a gap, not interpolated)."""

    times: tuple[float, ...]
    values: tuple[float, ...]


def gapped_line(
    points: Sequence[tuple[int, float]], spacing: float, span: float, max_points: int = MAX_LINE_POINTS
) -> Line:
    """A line through time-ordered ``points``, broken where two are a gap apart (more than 2.5 ``spacing``).

    Dense lines are averaged into buckets of ``span / max_points`` seconds; a bucket never spans a gap.
    """
    import numpy  # with matplotlib, only when a chart is drawn

    if not points:
        return Line((), ())
    times = numpy.array([at for at, _ in points], dtype=float)
    values = numpy.array([value for _, value in points], dtype=float)
    runs = numpy.concatenate([[0], numpy.cumsum(numpy.diff(times) > GAP_FACTOR * spacing)])
    buckets = (
        numpy.floor(times / (span / max_points)) if len(points) > max_points else numpy.arange(len(times))
    )
    changes = (runs[1:] != runs[:-1]) | (buckets[1:] != buckets[:-1])
    starts = numpy.flatnonzero(numpy.concatenate([[True], changes]))
    counts = numpy.diff(numpy.append(starts, len(times)))
    mean_times = numpy.add.reduceat(times, starts) / counts
    mean_values = numpy.add.reduceat(values, starts) / counts
    # A NaN between runs lifts matplotlib's pen: the gap stays a gap.
    breaks = numpy.flatnonzero(numpy.diff(runs[starts])) + 1
    midpoints = (mean_times[breaks - 1] + mean_times[breaks]) / 2
    line_times = numpy.insert(mean_times, breaks, midpoints)
    line_values = numpy.insert(mean_values, breaks, numpy.nan)
    return Line(tuple(line_times.tolist()), tuple(line_values.tolist()))


def latency_line(samples: Sequence[RawSample], interval: float, span: float) -> Line:
    """Latency of the results that have one (failures usually do not: the line breaks there)."""
    points = [(s.at, float(s.latency_ms)) for s in samples if s.latency_ms is not None and not s.paused]
    return gapped_line(points, interval, span)


def heartbeat_blocks(
    samples: Sequence[RawSample], start: int, end: int, blocks: int
) -> list[Status | str | None]:
    """Per block of [start, end): worst status measured, MAINTENANCE if only paused, None if unmeasured."""
    import numpy

    width = (end - start) / blocks
    worst = numpy.full(blocks, -1)
    paused = numpy.zeros(blocks, dtype=bool)
    if samples:
        index = ((numpy.array([s.at for s in samples]) - start) // width).astype(int)
        inside = (index >= 0) & (index < blocks)
        is_paused = numpy.array([s.paused for s in samples])
        measured = numpy.array([s.status is not Status.NOT_CONFIGURED for s in samples]) & ~is_paused
        severity = numpy.array([s.status.severity for s in samples])
        numpy.maximum.at(worst, index[inside & measured], severity[inside & measured])
        paused[index[inside & is_paused]] = True
    states: list[Status | str | None] = []
    for level, only_paused in zip(worst.tolist(), paused.tolist(), strict=True):
        states.append(_BY_SEVERITY[level] if level >= 0 else MAINTENANCE if only_paused else None)
    return states
