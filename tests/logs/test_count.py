"""Counting: every matching entry of the whole file, once, whichever of level or text leads."""

import tracemalloc

import pytest

from bot.logs import Level, LogCount, LogQuery, NoLog
from bot.logs.reader import LogHandle
from bot.logs.search import count_matching
from tests.logs.generate import FORMATS, expected, generate, write_log


@pytest.fixture
def mixed_log(log_path):
    return write_log(log_path, generate(4000, seed=11, formats=FORMATS))


@pytest.mark.parametrize("chunk_size", [100, 5000, 1 << 22])
@pytest.mark.parametrize(
    ("level", "search"),
    [
        (None, None),
        (Level.ERROR, None),
        (Level.INFO, None),
        (None, "anidb"),
        (Level.ERROR, "tmdb"),  # the level is rarer: it leads
        (Level.ERROR, "banned"),  # the text is rarer: it leads
        (Level.INFO, "anidb"),
        (Level.CRITICAL, "memory"),
        (Level.ERROR, "File"),  # only in traceback lines
    ],
)
def test_count_matches_what_was_written(log_path, redactor, mixed_log, chunk_size, level, search):
    query = LogQuery.parse(level.value if level else "ALL", search)
    with LogHandle(log_path) as handle:
        counted = count_matching(handle, query, redactor, chunk_size=chunk_size)
    assert counted.matching == len(expected(mixed_log, level, search))
    assert counted.scanned_bytes == log_path.stat().st_size
    assert not counted.interrupted


async def test_count_reports_the_file_totals(aphrodite_log, log_path, mixed_log):
    counted = await aphrodite_log.count(LogQuery.parse("WARNING", "quota"))
    assert isinstance(counted, LogCount)
    assert counted.matching == len(expected(mixed_log, Level.WARNING, "quota")) > 0
    assert counted.total_lines == sum(len(e.lines) for e in mixed_log)


async def test_count_of_a_missing_log_says_so(aphrodite_log):
    assert isinstance(await aphrodite_log.count(LogQuery.parse("ERROR")), NoLog)


def test_a_huge_entry_matching_on_every_other_line_is_counted_in_memory_near_its_size(log_path, redactor):
    # A planted entry of 1.5 MiB (more than a chunk) whose every other line holds the search and a
    # credential trigger: the candidates and the lines to redact stay compact (4 bytes a line,
    # nearby lines redacted together), where a list per line would take many times the entry.
    body = b"key tmdb\nx\n" * (3 * 512 * 1024 // 11)
    log_path.write_bytes(b"2026-11-28 00:00:00 [ERROR] app: start\n" + body)
    tracemalloc.start()
    try:
        with LogHandle(log_path) as handle:
            counted = count_matching(handle, LogQuery.parse("ALL", "tmdb"), redactor)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert counted.matching == 1
    assert peak < 6 * len(body), f"peak {peak / 2**20:.0f} MiB for a {len(body) / 2**20:.1f} MiB entry"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("level", ["ALL", "ERROR"])
def test_an_entry_of_many_matching_lines_is_counted_in_one_pass(log_path, redactor, level):
    # 200,000 continuation lines holding the search: each is looked at once (a walk back to the
    # header from every one of them would take hours).
    log_path.write_bytes(b"2026-11-28 00:00:00 [ERROR] app: start\n" + b"  tmdb again\n" * 200_000)
    with LogHandle(log_path) as handle:
        counted = count_matching(handle, LogQuery.parse(level, "tmdb"), redactor)
    assert counted.matching == 1
