"""Viewing: the newest matching entries with the file's totals, whatever the log looks like."""

import asyncio
import os
from datetime import timedelta

import pytest

from bot.logs import InvalidQuery, Level, LogQuery, LogUnreadable, LogView, NoLog, search
from bot.logs.reader import LogHandle, chunks_backward
from bot.logs.search import newest_matching
from bot.redact import MASK
from tests.logs.conftest import DB_PASSWORD, JELLYFIN_KEY, TMDB_KEY
from tests.logs.generate import FORMATS, START, entry, expected, generate, write_log


@pytest.fixture
def mixed_log(log_path):
    """3,000 entries in all three formats, tracebacks included."""
    return write_log(log_path, generate(3000, seed=7, formats=FORMATS))


async def test_view_shows_the_newest_matching_entries_oldest_first(aphrodite_log, mixed_log):
    view = await aphrodite_log.view(LogQuery.parse("ERROR", "tmdb"), lines=20)
    assert [e.text for e in view.entries] == expected(mixed_log, Level.ERROR, "tmdb")[-20:]
    assert all(e.level is Level.ERROR for e in view.entries)
    assert view.entries[0].timestamp < view.entries[-1].timestamp


@pytest.mark.parametrize("chunk_size", [64, 700, 4096, 1 << 20])
@pytest.mark.parametrize(
    ("level", "search", "needle"),
    [
        (None, None, None),
        (Level.ERROR, None, None),
        (Level.CRITICAL, None, None),
        (None, "tmdb", "tmdb"),
        (Level.ERROR, "tmdb", "tmdb"),
        (Level.WARNING, "MDBList", "mdblist"),
        (Level.ERROR, "Traceback", "traceback"),
    ],
)
def test_every_match_is_found_across_chunk_boundaries(
    log_path, redactor, mixed_log, chunk_size, level, search, needle
):
    query = LogQuery.parse(level.value if level else "ALL", search)
    with LogHandle(log_path) as handle:
        found = newest_matching(handle, query, redactor, limit=10_000, chunk_size=chunk_size)
    assert [e.text for e in found.entries] == expected(mixed_log, level, needle)
    assert found.reached_start


def test_regex_searches_find_what_they_describe(log_path, redactor, mixed_log):
    query = LogQuery.parse("ALL", r"re:^\{.*timeout after \d+ s")
    with LogHandle(log_path) as handle:
        found = newest_matching(handle, query, redactor, limit=10_000, chunk_size=2048)
    wanted = [e.text for e in mixed_log if e.text.startswith("{") and "timeout after" in e.text]
    assert wanted and [e.text for e in found.entries] == wanted


async def test_level_means_exactly_that_level(aphrodite_log, log_path):
    write_log(
        log_path,
        [
            entry("aphrodite", START, "ERROR", "app.a", "first"),
            entry("legacy", START, "CRITICAL", "app.b", "second"),
            entry("json", START, "WARN", "app.c", "third"),
        ],
    )
    assert [e.message for e in (await aphrodite_log.view(LogQuery.parse("ERROR"))).entries] == ["first"]
    assert [e.message for e in (await aphrodite_log.view(LogQuery.parse("CRITICAL"))).entries] == ["second"]
    assert [e.message for e in (await aphrodite_log.view(LogQuery.parse("WARNING"))).entries] == ["third"]


async def test_an_entry_matches_through_its_traceback_and_keeps_it(aphrodite_log, log_path):
    traceback = [
        "Traceback (most recent call last):",
        '  File "/app/app/services/tmdb.py", line 88',
        "TimeoutError",
    ]
    write_log(
        log_path,
        [
            entry("aphrodite", START, "ERROR", "app.workers", "Failed to process poster", traceback),
            entry("aphrodite", START, "INFO", "app.workers", "Processed poster"),
        ],
    )
    view = await aphrodite_log.view(LogQuery.parse("ERROR", "services/tmdb.py"))
    (found,) = view.entries
    assert found.message == "Failed to process poster"
    assert list(found.continuation) == traceback


async def test_totals_describe_the_whole_file(aphrodite_log, log_path, mixed_log):
    view = await aphrodite_log.view(LogQuery.parse("ALL"), lines=5)
    line_count = sum(len(e.lines) for e in mixed_log)
    assert view.total_lines == line_count
    assert view.size == log_path.stat().st_size
    assert view.summary == f"{line_count:,} total lines (showing 5 filtered)"
    assert view.matching is None  # more exist than were asked for
    everything = await aphrodite_log.view(LogQuery.parse("CRITICAL"), lines=1000)
    assert everything.matching == len(expected(mixed_log, Level.CRITICAL))


async def test_totals_follow_a_growing_file(aphrodite_log, log_path, mixed_log):
    await aphrodite_log.view(LogQuery.parse("ALL"), lines=1)
    more = write_log(log_path, generate(50, seed=8, start=START + timedelta(days=3)), mode="ab")
    view = await aphrodite_log.view(LogQuery.parse("ALL"), lines=1)
    assert view.total_lines == sum(len(e.lines) for e in [*mixed_log, *more])
    assert view.entries[0].text == more[-1].text


async def test_secrets_never_come_back_and_cannot_be_searched_for(aphrodite_log, log_path):
    write_log(
        log_path,
        [
            entry(
                "aphrodite",
                START,
                "ERROR",
                "app.services.tmdb",
                f"GET /3/movie/550?api_key={TMDB_KEY} failed",
            ),
            entry(
                "legacy",
                START,
                "ERROR",
                "app.core.database",
                f"postgresql://aphrodite:{DB_PASSWORD}@db:5432/x",
            ),
            entry(
                "json",
                START,
                "INFO",
                "app.services.jellyfin",
                "upload",
                [f'Authorization: Token="{JELLYFIN_KEY}"'],
            ),
            entry("aphrodite", START, "DEBUG", "app.settings", "loaded", ['{"password": "hunter2-unknown"}']),
        ],
    )
    view = await aphrodite_log.view(LogQuery.parse("ALL"))
    shown = "\n".join(e.text + e.message for e in view.entries)
    for secret in (TMDB_KEY, DB_PASSWORD, JELLYFIN_KEY, "hunter2-unknown"):
        assert secret not in shown
        for probe in (secret, secret[:8], f"re:{secret[:6]}.*"):
            assert (await aphrodite_log.view(LogQuery.parse("ALL", probe))).entries == ()
            assert (await aphrodite_log.count(LogQuery.parse("ALL", probe))).matching == 0
    masked = await aphrodite_log.view(LogQuery.parse("ALL", "api_key="))
    assert [e.message for e in masked.entries] == [f"GET /3/movie/550?api_key={MASK} failed"]


@pytest.mark.parametrize("content", [None, b""])
async def test_a_missing_or_empty_log_says_so(aphrodite_log, log_path, content):
    if content is not None:
        log_path.write_bytes(content)
    for result in (await aphrodite_log.view(LogQuery.parse()), await aphrodite_log.status()):
        assert isinstance(result, NoLog)
        assert result.message == "The log file is empty or doesn't exist yet."
        assert result.path == log_path
        assert result.exists is (content is not None)
    assert not log_path.exists() or content is not None


async def test_lines_must_be_a_sensible_number(aphrodite_log, mixed_log):
    for lines in (0, -5, 1001):
        with pytest.raises(InvalidQuery):
            await aphrodite_log.view(LogQuery.parse(), lines=lines)


async def test_bad_bytes_and_huge_lines_are_shown_not_fatal(aphrodite_log, log_path):
    write_log(log_path, [entry("aphrodite", START, "ERROR", "app.x", "long " + "z" * 3_000_000)])
    with log_path.open("ab") as file:
        file.write(b"2026-11-28 01:00:00 [ERROR] app.x:1: raw \xff\xfe\xc3 bytes\n")
    view = await aphrodite_log.view(LogQuery.parse("ERROR"))
    assert [e.message[:5] for e in view.entries] == ["long ", "raw \ufffd"]
    assert view.entries[0].truncated and len(view.entries[0].text) < 3000


def test_a_rotation_during_the_read_keeps_reading_the_old_file(log_path, redactor, mixed_log):
    with LogHandle(log_path) as handle:
        os.rename(log_path, log_path.with_name(log_path.name + ".1"))
        write_log(log_path, generate(10, seed=99))
        found = newest_matching(handle, LogQuery.parse("ALL"), redactor, limit=10_000, chunk_size=4096)
    assert [e.text for e in found.entries] == [e.text for e in mixed_log]
    assert not found.interrupted


def test_a_truncation_during_the_read_stops_and_says_so(log_path, redactor, mixed_log):
    with LogHandle(log_path) as handle:
        chunks = chunks_backward(handle, chunk_size=4096)
        first = next(chunks)
        os.truncate(log_path, 0)  # cleared (or copytruncate-rotated) while we read
        rest = list(chunks)
        assert first.text and rest == []
        assert handle.shrunk
        found = newest_matching(handle, LogQuery.parse("ALL"), redactor, limit=10)
    assert found.interrupted and not found.reached_start


async def test_a_view_does_not_block_the_event_loop(aphrodite_log, log_path):
    write_log(log_path, generate(40_000, seed=3))
    ticks = 0
    done = asyncio.Event()

    async def tick():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await aphrodite_log.view(LogQuery.parse("ALL", "no such text anywhere"))
    done.set()
    await ticker
    assert ticks > 10
    assert isinstance(await aphrodite_log.view(LogQuery.parse()), LogView)


async def test_a_view_of_huge_entries_stops_at_its_text_budget(aphrodite_log, log_path, monkeypatch):
    monkeypatch.setattr(search, "TEXT_BUDGET", 5000)
    write_log(
        log_path, [entry("aphrodite", START, "ERROR", "app", f"boom {n}", ["x" * 1500] * 3) for n in range(9)]
    )
    view = await aphrodite_log.view(LogQuery.parse("ERROR"), lines=9)
    assert [e.message for e in view.entries] == ["boom 7", "boom 8"]  # the newest, until the budget ran out
    assert view.matching is None


@pytest.mark.parametrize("make", [os.mkdir, os.mkfifo])
async def test_a_path_that_is_no_log_file_is_a_clear_error(aphrodite_log, log_path, make):
    make(log_path)
    with pytest.raises(LogUnreadable) as caught:
        await aphrodite_log.view(LogQuery.parse())
    assert str(log_path) in str(caught.value) and "APHRODITE_LOG_FILE" in str(caught.value)
    with pytest.raises(LogUnreadable):
        await aphrodite_log.clear()
