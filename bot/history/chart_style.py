"""What every history chart shares: matplotlib loaded on first use, Discord dark-theme colours, PNG output."""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from bot.status import Status

# Discord's dark theme, so a chart looks like part of the message on a phone.
BACKGROUND = "#313338"
PANEL = "#2b2d31"
TEXT = "#dbdee1"
MUTED = "#949ba4"
GRID = "#4e5058"
STATE_COLOURS = {
    Status.OK: "#2ecc71",
    Status.DEGRADED: "#f1c40f",
    Status.FAILED: "#e74c3c",
    Status.NOT_CONFIGURED: "#6d7278",
}
MAINTENANCE = "#5865f2"
LINE_COLOURS = ("#4ea8ff", "#ff7ab6", "#ffb347", "#b39ddb", "#4dd0e1", "#aed581", "#f48fb1", "#fff176")

MAX_PNG_BYTES = 1_000_000
DPI = 110


def new_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas, without pyplot's global state (charts render in worker threads)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    return figure


def style_axes(axes: Axes) -> None:
    axes.set_facecolor(PANEL)
    axes.tick_params(colors=TEXT, labelsize=10)
    for spine in axes.spines.values():
        spine.set_color(GRID)
    axes.grid(True, color=GRID, linewidth=0.6, alpha=0.6)
    axes.yaxis.label.set_color(TEXT)
    axes.title.set_color(TEXT)


def time_axis(axes: Axes, start: datetime, end: datetime, fmt: str) -> None:
    """UTC time along x from ``start`` to ``end``."""
    from matplotlib import dates

    axes.set_xlim(dates.date2num(start), dates.date2num(end))
    axes.xaxis.set_major_locator(dates.AutoDateLocator(minticks=4, maxticks=8))
    axes.xaxis.set_major_formatter(dates.DateFormatter(fmt))


def to_png(figure: Figure) -> bytes:
    """The figure as PNG, re-drawn smaller in the rare case it would exceed MAX_PNG_BYTES."""
    dpi: float = DPI
    while True:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, facecolor=BACKGROUND)
        data = buffer.getvalue()
        if len(data) <= MAX_PNG_BYTES or dpi < 40:
            return data
        dpi *= 0.7


def legend(figure: Figure, handles: list[Any], **options: Any) -> None:
    figure.legend(handles=handles, frameon=False, labelcolor=TEXT, fontsize=9, handlelength=1.2, **options)
