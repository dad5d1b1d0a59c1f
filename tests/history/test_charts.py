"""The status and growth PNGs: produced for empty, one-point and 90-day histories, small and not blank."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy
import pytest
from matplotlib import image

from bot.history import GrowthReport, HistoryStore, Observation, SizeSample, TableBytes
from bot.history.chart_data import gapped_line, heartbeat_blocks
from bot.history.chart_style import MAX_PNG_BYTES
from bot.history.growth import BackupPoint
from bot.history.growth_chart import render_growth_chart
from bot.history.samples import RawSample
from bot.history.status_chart import render_status_chart
from bot.status import Status
from tests.history.conftest import T0, FakeClock, record_at, rounds

TARGETS = ("jellyfin", "omdb", "tmdb", "mdblist", "anidb", "database", "backups", "log")


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def distinct_colours(png: bytes) -> int:
    pixels = image.imread(io.BytesIO(png), format="png")
    return len(numpy.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0))


def assert_readable_picture(png: bytes) -> None:
    width, height = png_size(png)
    assert 800 <= width <= 1600 and 500 <= height <= 1600
    assert len(png) < MAX_PNG_BYTES
    assert distinct_colours(png) > 20  # text, axes and data, not one flat background


async def test_status_chart_of_an_empty_history_is_a_picture_saying_so(
    store: HistoryStore, clock: FakeClock
) -> None:
    assert_readable_picture(await render_status_chart(store, now=T0))


async def test_status_chart_of_one_result(store: HistoryStore, clock: FakeClock) -> None:
    await record_at(store, clock, T0, rounds("tmdb", T0 - timedelta(minutes=1), 1))
    assert_readable_picture(await render_status_chart(store, now=T0))


async def test_status_chart_of_90_days_of_eight_targets(tmp_path: Path, clock: FakeClock) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", interval_seconds=300, keep_days=90, clock=clock)
    rng = random.Random(7)
    try:
        for day in range(90):
            start = T0 + timedelta(days=day)
            batch = [
                Observation(name, start + timedelta(seconds=s), Status.OK, rng.uniform(50, 900))
                for s in range(0, 86400, 300)
                for name in TARGETS
            ]
            await record_at(store, clock, start + timedelta(days=1), batch)
        png = await render_status_chart(store, now=T0 + timedelta(days=90))
        assert_readable_picture(png)
    finally:
        await store.close()


def report(samples: list[SizeSample], backups: list[BackupPoint], days: int = 90) -> GrowthReport:
    end = T0 + timedelta(days=days)
    return GrowthReport(days, T0, end, tuple(samples), tuple(backups))


@pytest.mark.parametrize("hours", [0, 1, 90 * 24])
async def test_growth_chart_for_empty_one_point_and_90_day_histories(hours: int) -> None:
    samples = [
        SizeSample(
            T0 + timedelta(hours=h),
            2**30 + h * 2**20,
            (TableBytes("media_items", 2**29 + h * 2**19), TableBytes("schedules", 2**20)),
        )
        for h in range(hours)
    ]
    backups = [
        BackupPoint(f"b{d}", T0 + timedelta(days=d), 300 * 2**20, "manual") for d in range(hours // 24)
    ]
    assert_readable_picture(await render_growth_chart(report(samples, backups)))


def test_a_gap_in_the_samples_breaks_the_line_instead_of_joining_it() -> None:
    points = [(0, 1.0), (10, 2.0), (20, 3.0), (500, 4.0), (510, 5.0)]
    line = gapped_line(points, spacing=10, span=600)
    assert line.times[:3] == (0, 10, 20) and line.times[-2:] == (500, 510)
    assert numpy.isnan(line.values[3])
    assert sum(numpy.isnan(line.values)) == 1


def test_a_dense_line_is_averaged_into_at_most_the_point_budget_without_new_gaps() -> None:
    points = [(t, float(t % 7)) for t in range(0, 86400, 10)]
    line = gapped_line(points, spacing=10, span=86400, max_points=720)
    assert len(line.values) <= 720
    assert not any(numpy.isnan(line.values))


def test_heartbeat_blocks_show_the_worst_status_maintenance_and_unmeasured() -> None:
    samples = [
        RawSample(0, Status.OK, 5, False),
        RawSample(10, Status.FAILED, None, False),
        RawSample(100, Status.DEGRADED, 5, False),
        RawSample(200, Status.FAILED, None, True),
        RawSample(300, Status.NOT_CONFIGURED, None, False),
    ]
    assert heartbeat_blocks(samples, 0, 500, 5) == [Status.FAILED, Status.DEGRADED, "maintenance", None, None]


def test_matplotlib_and_numpy_are_loaded_only_when_a_chart_is_drawn() -> None:
    code = (
        "import sys, bot.history, bot.history.status_chart, bot.history.growth_chart, cogs.database; "
        "print('matplotlib' in sys.modules or 'numpy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
