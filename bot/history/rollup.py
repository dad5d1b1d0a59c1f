"""How much time each sample stands for, and an hour of samples folded into one aggregate row."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.history.samples import RawSample
from bot.status import Status

# Two samples further apart than this many intervals have a gap between them (the bot was down):
# the gap is neither up nor down, and charts draw it as a gap.
GAP_FACTOR = 2.5


def is_gap(seconds_apart: float, interval: float) -> bool:
    return seconds_apart > GAP_FACTOR * interval


def spans(samples: Sequence[RawSample], interval: float, next_at: int | None = None) -> list[float]:
    """Seconds each sample stands for: until the next sample, or one interval when a gap follows.

    ``next_at`` is the first sample after these, when known.
    """
    result = []
    for index, sample in enumerate(samples):
        following = samples[index + 1].at if index + 1 < len(samples) else next_at
        apart = None if following is None else following - sample.at
        result.append(float(interval) if apart is None or is_gap(apart, interval) else float(apart))
    return result


def kind_of_time(sample: RawSample) -> str | None:
    """'maintenance', 'up' (OK or degraded: working, if slowly), 'down', or None (not configured)."""
    if sample.paused:
        return "maintenance"
    if sample.status in (Status.OK, Status.DEGRADED):
        return "up"
    if sample.status is Status.FAILED:
        return "down"
    return None


def p95(values: Sequence[int]) -> int | None:
    """The 95th percentile by nearest rank: the smallest value with at least 95 % at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


@dataclass(frozen=True)
class HourlyAggregate:
    """One target's hour: results per status (paused ones apart), time up/down/in maintenance, latency."""

    hour: int
    ok: int
    degraded: int
    failed: int
    not_configured: int
    paused: int
    up_seconds: float
    down_seconds: float
    maintenance_seconds: float
    latency_count: int
    latency_min: int | None
    latency_avg: float | None
    latency_p95: int | None
    latency_max: int | None


def aggregate_hour(hour: int, samples: Sequence[RawSample], sample_spans: Sequence[float]) -> HourlyAggregate:
    """Fold one hour of a target's samples; latency statistics leave out results taken while paused."""
    counts = {status: 0 for status in Status}
    seconds = {"up": 0.0, "down": 0.0, "maintenance": 0.0}
    latencies = []
    paused = 0
    for sample, span in zip(samples, sample_spans, strict=True):
        kind = kind_of_time(sample)
        if kind is not None:
            seconds[kind] += span
        if sample.paused:
            paused += 1
            continue
        counts[sample.status] += 1
        if sample.latency_ms is not None:
            latencies.append(sample.latency_ms)
    return HourlyAggregate(
        hour=hour,
        ok=counts[Status.OK],
        degraded=counts[Status.DEGRADED],
        failed=counts[Status.FAILED],
        not_configured=counts[Status.NOT_CONFIGURED],
        paused=paused,
        up_seconds=seconds["up"],
        down_seconds=seconds["down"],
        maintenance_seconds=seconds["maintenance"],
        latency_count=len(latencies),
        latency_min=min(latencies, default=None),
        latency_avg=sum(latencies) / len(latencies) if latencies else None,
        latency_p95=p95(latencies),
        latency_max=max(latencies, default=None),
    )
