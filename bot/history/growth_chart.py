"""The `/db growth` picture: total size and the largest tables over time, backup sizes below."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from bot.history.chart_data import gapped_line
from bot.history.chart_style import (
    LINE_COLOURS,
    MUTED,
    TEXT,
    new_figure,
    style_axes,
    time_axis,
    to_png,
)
from bot.history.growth import GrowthReport
from bot.history.sampler import SAMPLE_EVERY
from bot.history.timeline import from_epoch, to_epoch

TOTAL_COLOUR = "#ffffff"
# Up to this many samples, each is marked: a lone sample between gaps would otherwise not show.
FEW_SAMPLES = 48
BACKUP_COLOURS = {"unknown": "#b39ddb", "safety": "#f1c40f"}
BACKUP_DEFAULT_COLOUR = "#4ea8ff"
_UNITS = (("B", 1), ("KiB", 1024), ("MiB", 1024**2), ("GiB", 1024**3), ("TiB", 1024**4))


def byte_unit(largest: float) -> tuple[str, int]:
    """The unit that shows ``largest`` as a number between 1 and 1024."""
    chosen = _UNITS[0]
    for unit in _UNITS:
        if largest >= unit[1]:
            chosen = unit
    return chosen


async def render_growth_chart(report: GrowthReport) -> bytes:
    """The growth PNG, drawn in a worker thread."""
    return await asyncio.to_thread(draw_growth_chart, report)


def draw_growth_chart(report: GrowthReport) -> bytes:
    """Sizes on top (gaps where the bot was not sampling), backups as bars below; a PNG under 1 MB."""
    figure = new_figure(9.0, 6.4)
    grid = figure.add_gridspec(2, 1, height_ratios=[3, 1.3], hspace=0.35)
    sizes, backups = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    for axes in (sizes, backups):
        style_axes(axes)
        time_axis(axes, report.since, report.until, "%d %b")
    figure.suptitle(
        f"Database size, last {report.days} days: {report.summary()}",
        color=TEXT,
        fontsize=12,
        x=0.02,
        ha="left",
        wrap=True,
    )
    _draw_sizes(sizes, report)
    backups.set_title("Backups", color=TEXT, fontsize=11, loc="left")
    _draw_backups(backups, report)
    figure.subplots_adjust(left=0.09, right=0.98, top=0.86, bottom=0.07)
    return to_png(figure)


def _series(report: GrowthReport, name: str | None) -> list[tuple[int, float]]:
    points = []
    for sample in report.samples:
        value = sample.total_bytes if name is None else sample.table_bytes(name)
        if value is not None:
            points.append((to_epoch(sample.at), float(value)))
    return points


def _draw_sizes(axes: Axes, report: GrowthReport) -> None:
    from matplotlib import dates

    if not report.samples:
        _empty(axes, "no size samples yet: sampled hourly while the bot runs")
        return
    unit, scale = byte_unit(max(sample.total_bytes for sample in report.samples))
    span = (report.until - report.since).total_seconds()
    spacing = SAMPLE_EVERY.total_seconds()
    series: list[tuple[str, str | None, str, float]] = [("total", None, TOTAL_COLOUR, 2.2)]
    latest = report.latest
    tables = latest.tables if latest else ()
    series += [(t.name, t.name, LINE_COLOURS[i % len(LINE_COLOURS)], 1.4) for i, t in enumerate(tables)]
    for label, name, colour, width in series:
        line = gapped_line(_series(report, name), spacing, span)
        times = dates.date2num([from_epoch(at) for at in line.times])
        values = [value / scale for value in line.values]
        axes.plot(
            times,
            values,
            color=colour,
            linewidth=width,
            label=label,
            marker="o" if len(report.samples) <= FEW_SAMPLES else "",
            markersize=4,
        )
    axes.set_ylim(bottom=0)
    axes.set_ylabel(unit)
    axes.legend(
        frameon=False, labelcolor=TEXT, fontsize=9, ncols=6, loc="lower left", bbox_to_anchor=(0, 1.0)
    )


def _draw_backups(axes: Axes, report: GrowthReport) -> None:
    from matplotlib import dates

    if not report.backups:
        _empty(axes, report.backup_error or "no backups in this period")
        return
    unit, scale = byte_unit(max(backup.size for backup in report.backups))
    width = max((report.until - report.since).total_seconds() / 86400 / 150, 1 / 96)
    axes.bar(
        dates.date2num([backup.at for backup in report.backups]),
        [backup.size / scale for backup in report.backups],
        width=width,
        color=[BACKUP_COLOURS.get(backup.kind, BACKUP_DEFAULT_COLOUR) for backup in report.backups],
    )
    axes.set_ylabel(unit)


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, color=MUTED, ha="center", va="center", fontsize=11, transform=axes.transAxes)
    axes.set_yticks([])
