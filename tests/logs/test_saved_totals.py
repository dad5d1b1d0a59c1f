"""Line totals kept in the state store: a one-shot `logs status` counts only what was appended."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.logs import AphroditeLog, LogQuery, LogStatus, LogView
from bot.logs.aphrodite_log import LINE_TOTALS_KEY
from bot.logs.lines import LineCounter
from bot.logs.reader import LogHandle

LINE = b"2026-11-28 22:59:00 [INFO] app.workers:12: processed item %d\n"
SECRET_LINE = b"2026-11-28 22:59:01 [ERROR] app.tmdb:3: api_key=tmdb-key-5f2b9c7e11 refused\n"


def _write(path, lines, start=0, mode="wb"):
    with path.open(mode) as file:
        file.write(b"".join(LINE % n for n in range(start, start + lines)))


def _lines(path):
    return path.read_bytes().count(b"\n")


async def _status(log_path, redactor, state) -> LogStatus:
    """`logs status` as a fresh process runs it: a new AphroditeLog sharing only the state store."""
    log = AphroditeLog(log_path, redactor, state=state)
    try:
        status = await log.status()
    finally:
        log.close()
    assert isinstance(status, LogStatus)
    return status


async def test_a_second_status_counts_only_the_appended_part(log_path, redactor, state):
    _write(log_path, 5000)
    assert (await _status(log_path, redactor, state)).total_lines == 5000
    first = await state.get(LINE_TOTALS_KEY)
    counted_size = log_path.stat().st_size
    _write(log_path, 7, start=5000, mode="ab")

    status = await _status(log_path, redactor, state)

    assert status.total_lines == 5007 == _lines(log_path)
    [saved] = await state.get(LINE_TOTALS_KEY)
    assert (saved["size"], saved["newlines"]) == (log_path.stat().st_size, 5007)
    # What the second process did, seen through the bytes it read: the appended part and two tails.
    counter = LineCounter()
    counter.restore(first)
    with LogHandle(log_path) as handle:
        assert counter.count(handle) == 5007
        assert handle.bytes_read <= (handle.size - counted_size) + 2 * 64


async def test_a_status_resumes_from_the_saved_count_rather_than_recounting(log_path, redactor, state):
    _write(log_path, 1000)
    await _status(log_path, redactor, state)
    with log_path.open("r+b") as file:  # an edit inside the counted part, which only a recount sees
        file.seek(100)
        file.write(b"\n")
    _write(log_path, 3, start=1000, mode="ab")

    assert (await _status(log_path, redactor, state)).total_lines == 1003 == _lines(log_path) - 1


async def test_an_unchanged_log_is_not_read_again(log_path, redactor, state):
    _write(log_path, 3000)
    await _status(log_path, redactor, state)
    counter = LineCounter()
    counter.restore(await state.get(LINE_TOTALS_KEY))
    with LogHandle(log_path) as handle:
        assert counter.count(handle) == 3000
        assert handle.bytes_read <= 2 * 64


async def test_a_truncated_then_regrown_log_is_counted_afresh(log_path, redactor, state):
    _write(log_path, 100)
    await _status(log_path, redactor, state)
    with log_path.open("r+b") as file:  # cleared in place, then written past the old size
        file.truncate(0)
    log_path.write_bytes(b"other\n" * 5000)

    assert (await _status(log_path, redactor, state)).total_lines == 5000


async def test_a_rotated_log_is_counted_afresh(log_path, redactor, state):
    _write(log_path, 100)
    await _status(log_path, redactor, state)
    log_path.rename(log_path.with_name(log_path.name + ".1"))
    _write(log_path, 40)

    assert (await _status(log_path, redactor, state)).total_lines == 40


async def test_no_log_text_is_kept_in_the_state_store(log_path, redactor, state, tmp_path):
    log_path.write_bytes(LINE % 1 + SECRET_LINE)
    await _status(log_path, redactor, state)
    await state.close()

    with sqlite3.connect(tmp_path / "state.sqlite3") as connection:
        stored = " ".join(value for (value,) in connection.execute("SELECT value FROM state"))
    assert "tmdb-key" not in stored and "refused" not in stored
    assert json.loads(stored)[0]["newlines"] == 2


@pytest.mark.parametrize(
    "saved",
    [
        "not a list",
        [{"device": "x"}],
        [{"device": 1, "inode": 2, "size": -5, "newlines": 0, "tail": ""}],
        [{"device": 1, "inode": 2, "size": 10, "newlines": 11, "tail": ""}],
        [None, 3, "text"],
    ],
)
async def test_malformed_saved_totals_mean_a_fresh_count(log_path, redactor, state, saved):
    _write(log_path, 250)
    await state.put(LINE_TOTALS_KEY, saved)

    assert (await _status(log_path, redactor, state)).total_lines == 250


async def test_a_forged_total_for_the_file_is_not_trusted_when_its_end_differs(log_path, redactor, state):
    _write(log_path, 250)
    info = log_path.stat()
    forged = {"device": info.st_dev, "inode": info.st_ino, "size": 100, "newlines": 99, "tail": "00" * 16}
    await state.put(LINE_TOTALS_KEY, [forged])

    assert (await _status(log_path, redactor, state)).total_lines == 250


async def test_a_view_in_a_later_process_gives_the_total_a_status_counted(log_path, redactor, state):
    _write(log_path, 200_000)  # larger than a view reads: without the saved total, a lower bound
    await _status(log_path, redactor, state)
    _write(log_path, 2, start=200_000, mode="ab")

    log = AphroditeLog(log_path, redactor, state=state)
    try:
        view = await log.view(LogQuery.parse("ALL"), lines=1)
    finally:
        log.close()

    assert isinstance(view, LogView)
    assert (view.total_lines, view.total_exact) == (200_002, True)
