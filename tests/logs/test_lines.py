"""Line totals: only status counts the whole file; views and counts report what they read."""

from bot.logs import LogCount, LogQuery, LogStatus, LogView
from bot.logs.lines import CATCH_UP_BYTES, LineCounter, LineTotal
from bot.logs.reader import LogHandle
from tests.logs.generate import START, entry, write_log

HEADER = b"2026-11-28 22:59:00 [INFO] app.workers:12: processed item %d\n"


def _big_log(path, past_catch_up=CATCH_UP_BYTES + 1):
    """A log larger than a view catches up with: about 60 bytes a line."""
    lines = past_catch_up // len(HEADER % 0) + 2
    path.write_bytes(b"".join(HEADER % n for n in range(lines)))
    return lines


async def test_a_view_of_a_large_uncounted_log_gives_a_lower_bound(aphrodite_log, log_path):
    lines = _big_log(log_path)
    view = await aphrodite_log.view(LogQuery.parse("INFO"), lines=5)
    assert isinstance(view, LogView)
    assert not view.total_exact
    assert 5 <= view.total_lines < lines  # only the end of the file was read
    assert view.summary == f"≥ {view.total_lines:,} total lines (showing 5 filtered)"


async def test_once_status_counted_the_log_views_give_the_exact_total(aphrodite_log, log_path):
    lines = _big_log(log_path)
    status = await aphrodite_log.status()
    assert isinstance(status, LogStatus) and status.total_lines == lines
    with log_path.open("ab") as file:
        file.write(HEADER % 1 + b"  a continuation line\n")
    view = await aphrodite_log.view(LogQuery.parse("ALL"), lines=1)
    assert isinstance(view, LogView)
    assert (view.total_lines, view.total_exact) == (lines + 2, True)
    assert view.summary == f"{lines + 2:,} total lines (showing 1 filtered)"


async def test_after_a_large_append_a_view_still_gives_at_least_the_lines_counted(aphrodite_log, log_path):
    lines = _big_log(log_path)
    await aphrodite_log.status()
    with log_path.open("ab") as file:
        file.write(b"".join(HEADER % n for n in range(CATCH_UP_BYTES // len(HEADER % 0) + 2)))
    view = await aphrodite_log.view(LogQuery.parse("ALL"), lines=1)
    assert isinstance(view, LogView) and not view.total_exact
    assert view.total_lines == lines  # the lines counted before, more than the view read
    assert view.summary.startswith(f"≥ {lines:,} total lines")


async def test_a_count_gives_the_total_only_when_already_known(aphrodite_log, log_path):
    lines = _big_log(log_path)
    counted = await aphrodite_log.count(LogQuery.parse("INFO", "item 7"))
    assert isinstance(counted, LogCount)
    assert counted.matching == sum(str(n).startswith("7") for n in range(lines))
    assert counted.total_lines is None
    await aphrodite_log.status()
    counted = await aphrodite_log.count(LogQuery.parse("INFO", "item 7"))
    assert isinstance(counted, LogCount) and counted.total_lines == lines


async def test_a_view_that_reads_the_whole_file_knows_its_total(aphrodite_log, log_path):
    lines = _big_log(log_path)
    view = await aphrodite_log.view(LogQuery.parse("ERROR"), lines=5)  # no match: read to the start
    assert isinstance(view, LogView) and view.matching == 0
    assert (view.total_lines, view.total_exact) == (lines, True)


async def test_after_a_rotation_the_old_total_is_not_reused(aphrodite_log, log_path):
    _big_log(log_path)
    await aphrodite_log.status()
    log_path.rename(log_path.with_name("rotated"))
    lines = _big_log(log_path, past_catch_up=CATCH_UP_BYTES * 2)
    view = await aphrodite_log.view(LogQuery.parse("ALL"), lines=1)
    assert isinstance(view, LogView) and not view.total_exact and view.total_lines < lines


def test_a_known_total_catches_up_with_small_appends_only(log_path):
    counter = LineCounter()
    write_log(log_path, [entry("aphrodite", START, "INFO", "app", "first")])
    with LogHandle(log_path) as handle:
        assert counter.known(handle, catch_up=0) is None  # never counted
        assert counter.count(handle) == 1
    with log_path.open("ab") as file:
        file.write(b"second\nthird")
    with LogHandle(log_path) as handle:
        assert counter.known(handle, catch_up=4) == LineTotal(1, exact=False)  # 12 bytes appended
        assert counter.known(handle, catch_up=12) == LineTotal(3, exact=True)
    with log_path.open("r+b") as file:  # truncated, then written past the old size
        file.truncate(0)
        file.write(b"x\n" * 20)
    with LogHandle(log_path) as handle:
        assert counter.known(handle, catch_up=0) is None  # not the file that was counted
        assert counter.known(handle, catch_up=1024) == LineTotal(20, exact=True)
        assert counter.known(handle, catch_up=0) == LineTotal(20, exact=True)
