"""The `/alerts status` picture: latency per target over the last hours, a heartbeat strip per target."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from bot.history.chart_data import MAINTENANCE, heartbeat_blocks, latency_line
from bot.history.chart_style import (
    GRID,
    LINE_COLOURS,
    MUTED,
    STATE_COLOURS,
    TEXT,
    legend,
    new_figure,
    style_axes,
    time_axis,
    to_png,
)
from bot.history.chart_style import MAINTENANCE as MAINTENANCE_COLOUR
from bot.history.samples import RawSample
from bot.history.store import HistoryStore
from bot.history.timeline import from_epoch, to_epoch
from bot.history.uptime import Uptime
from bot.services.catalog import SERVICE_KEYS
from bot.status import Status

# The monitor's targets in the order people read them; others follow by name.
TARGET_ORDER = (*SERVICE_KEYS, "database", "backups", "log")
BLOCKS_PER_HOUR = 4


@dataclass(frozen=True)
class TargetHistory:
    name: str
    samples: tuple[RawSample, ...]
    uptime: Uptime | None = None


@dataclass(frozen=True)
class StatusChartData:
    start: datetime
    end: datetime
    interval: float
    targets: tuple[TargetHistory, ...]


def _order(name: str) -> tuple[int, str]:
    return (TARGET_ORDER.index(name) if name in TARGET_ORDER else len(TARGET_ORDER), name)


async def status_chart_data(store: HistoryStore, now: datetime, hours: int = 24) -> StatusChartData:
    """Every known target's raw results of the last ``hours`` hours, and its uptime over them."""
    start = now - timedelta(hours=hours)
    found = await store.samples(start, now)
    uptimes = await store.uptimes(start, now)
    targets = [
        TargetHistory(name, tuple(found.get(name, ())), uptimes[name]) for name in sorted(uptimes, key=_order)
    ]
    return StatusChartData(start, now, store.interval_seconds, tuple(targets))


async def render_status_chart(store: HistoryStore, *, now: datetime | None = None, hours: int = 24) -> bytes:
    """The status PNG from the store; queried and drawn off the event loop."""
    data = await status_chart_data(store, now or store.clock(), hours)
    return await asyncio.to_thread(draw_status_chart, data)


def draw_status_chart(data: StatusChartData) -> bytes:
    """Latency lines on top (gaps left open), heartbeat strips below; a PNG under 1 MB (blocking)."""
    from matplotlib import dates
    from matplotlib.patches import Patch

    rows = max(len(data.targets), 1)
    figure = new_figure(9.0, 4.2 + 0.38 * rows)
    grid = figure.add_gridspec(2, 1, height_ratios=[3.2, 0.38 * rows + 0.2], hspace=0.12)
    latency, strips = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    hours = round((data.end - data.start).total_seconds() / 3600)
    start, end = to_epoch(data.start), to_epoch(data.end)
    for axes in (latency, strips):
        style_axes(axes)
        time_axis(axes, data.start, data.end, "%H:%M")
    figure.suptitle(f"Latency, last {hours} h (UTC)", color=TEXT, fontsize=13, x=0.02, ha="left")
    latency.set_ylabel("ms")
    latency.tick_params(labelbottom=False)
    drawn = []
    for index, target in enumerate(data.targets):
        line = latency_line(target.samples, data.interval, end - start)
        if line.times:
            colour = LINE_COLOURS[index % len(LINE_COLOURS)]
            times = dates.date2num([from_epoch(at) for at in line.times])
            latency.plot(times, line.values, color=colour, linewidth=1.4, label=target.name)
            drawn.append(target.name)
    if drawn:
        latency.set_ylim(bottom=0)
        latency.legend(
            frameon=False,
            labelcolor=TEXT,
            fontsize=9,
            ncols=min(len(drawn), 4),
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
        )
    else:
        latency.text(
            0.5,
            0.5,
            "no latency measured in this period",
            color=MUTED,
            ha="center",
            va="center",
            fontsize=12,
            transform=latency.transAxes,
        )
        latency.set_ylim(0, 1)
    _draw_strips(strips, data, start, end, hours)
    handles = [
        Patch(color=STATE_COLOURS[Status.OK], label="up"),
        Patch(color=STATE_COLOURS[Status.DEGRADED], label="degraded"),
        Patch(color=STATE_COLOURS[Status.FAILED], label="down"),
        Patch(color=MAINTENANCE_COLOUR, label="maintenance"),
        Patch(color=STATE_COLOURS[Status.NOT_CONFIGURED], label="not measured"),
    ]
    legend(figure, handles, loc="lower center", ncols=5)
    figure.subplots_adjust(left=0.17, right=0.98, top=0.86, bottom=0.1 + 0.01 * (8 - min(rows, 8)))
    return to_png(figure)


def _draw_strips(axes: Axes, data: StatusChartData, start: int, end: int, hours: int) -> None:
    from matplotlib import dates
    from matplotlib.collections import PolyCollection

    blocks = max(hours * BLOCKS_PER_HOUR, 1)
    width = (end - start) / blocks
    lefts = dates.date2num([from_epoch(start + i * width) for i in range(blocks)])
    block = width / 86400 * 0.8
    labels = []
    boxes, colours = [], []
    for row, target in enumerate(data.targets):
        states = heartbeat_blocks(target.samples, start, end, blocks)
        top, bottom = row - 0.35, row + 0.35
        boxes += [[(x, top), (x + block, top), (x + block, bottom), (x, bottom)] for x in lefts]
        colours += [_state_colour(state) for state in states]
        percentage = target.uptime.percentage if target.uptime else None
        labels.append(f"{target.name}  {percentage:.1f}%" if percentage is not None else target.name)
    # One collection for every block: hundreds of bar patches would cost most of the render time.
    axes.add_collection(PolyCollection(boxes, facecolors=colours, edgecolors="none"))
    axes.set_yticks(range(len(labels)), labels, color=TEXT, fontsize=10)
    axes.set_ylim(len(labels) - 0.5 if labels else 0.5, -0.5)
    axes.grid(False)
    axes.tick_params(axis="y", length=0)
    for spine in axes.spines.values():
        spine.set_color(GRID)
    if not labels:
        axes.text(
            0.5,
            0.5,
            "no targets recorded yet",
            color=MUTED,
            ha="center",
            va="center",
            fontsize=11,
            transform=axes.transAxes,
        )


def _state_colour(state: Status | str | None) -> str:
    if state == MAINTENANCE:
        return MAINTENANCE_COLOUR
    if isinstance(state, Status):
        return STATE_COLOURS[state]
    return STATE_COLOURS[Status.NOT_CONFIGURED]
