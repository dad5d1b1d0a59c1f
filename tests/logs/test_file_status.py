"""Status: lines, size, last change, rotated files; line counts stay right as the log changes."""

from datetime import UTC, datetime

from bot.logs import LogStatus, NoLog
from bot.logs.lines import LineCounter
from bot.logs.reader import LogHandle
from tests.logs.generate import START, entry, generate, write_log


async def test_status_gives_lines_size_modified_and_rotated_files(aphrodite_log, log_path):
    written = write_log(log_path, generate(500, seed=2))
    for number, size in ((1, 300), (2, 200), (10, 100)):
        log_path.with_name(f"{log_path.name}.{number}").write_bytes(b"x" * size)
    log_path.with_name(f"{log_path.name}.old").write_bytes(b"not a rotation")
    status = await aphrodite_log.status()
    assert isinstance(status, LogStatus)
    assert status.total_lines == sum(len(e.lines) for e in written)
    assert status.size == log_path.stat().st_size
    assert status.modified == datetime.fromtimestamp(log_path.stat().st_mtime, UTC)
    assert [(f.path.name, f.size) for f in status.rotated] == [
        ("aphrodite-v2.log.1", 300),
        ("aphrodite-v2.log.2", 200),
        ("aphrodite-v2.log.10", 100),
    ]
    assert status.archives == ()


async def test_status_lists_logrotates_gzipped_rotations_among_the_numbered_ones(aphrodite_log, log_path):
    write_log(log_path, generate(10, seed=2))
    for name in (
        "aphrodite-v2.log.1",
        "aphrodite-v2.log.3.gz",
        "aphrodite-v2.log.2.gz",
        "aphrodite-v2.log.x.gz",
    ):
        log_path.with_name(name).write_bytes(b"rotated")
    status = await aphrodite_log.status()
    assert isinstance(status, LogStatus)
    assert [f.path.name for f in status.rotated] == [
        "aphrodite-v2.log.1",
        "aphrodite-v2.log.2.gz",
        "aphrodite-v2.log.3.gz",
    ]


async def test_a_missing_log_still_lists_its_rotated_files(aphrodite_log, log_path):
    log_path.with_name(log_path.name + ".1").write_bytes(b"older lines\n")
    status = await aphrodite_log.status()
    assert isinstance(status, NoLog)
    assert not status.exists
    assert [f.path.name for f in status.rotated] == ["aphrodite-v2.log.1"]


def test_a_last_line_without_newline_counts(log_path):
    log_path.write_bytes(b"one\ntwo\nthree")
    with LogHandle(log_path) as handle:
        assert LineCounter().count(handle) == 3


def test_line_counts_follow_appends_truncations_and_rotations(log_path):
    counter = LineCounter()
    write_log(log_path, generate(100, seed=1))
    with LogHandle(log_path) as handle:
        assert counter.count(handle) == _lines(log_path)
    write_log(log_path, [entry("aphrodite", START, "INFO", "app", "appended", ["a", "b"])], mode="ab")
    with LogHandle(log_path) as handle:
        assert counter.count(handle) == _lines(log_path)  # counted from where it stopped
    with log_path.open("r+b") as file:  # cleared, then written again past the old size
        file.truncate(0)
    write_log(log_path, generate(150, seed=5), mode="ab")
    with LogHandle(log_path) as handle:
        assert counter.count(handle) == _lines(log_path)
    log_path.rename(log_path.with_name("rotated"))
    log_path.write_bytes(b"fresh\n")
    with LogHandle(log_path) as handle:
        assert counter.count(handle) == 1


def _lines(path):
    return path.read_bytes().count(b"\n")
