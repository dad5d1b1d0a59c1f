"""Download: the (filtered) log as a redacted file, gzipped or cut to the newest part to fit."""

import gzip
import os
import re

import pytest

from bot.logs import ExportTooLarge, Level, LogQuery, NothingToExport
from bot.logs.parse import parse_header
from bot.redact import MASK
from tests.logs.conftest import DB_PASSWORD, TMDB_KEY
from tests.logs.generate import FORMATS, START, entry, expected, generate, write_log

MIB = 1024 * 1024


@pytest.fixture
def written(log_path):
    """About 2 MB of log with secrets planted among the generated entries."""
    entries = list(generate(15_000, seed=21, formats=FORMATS))
    entries.insert(
        100, entry("aphrodite", START, "ERROR", "app.services.tmdb", f"GET ?api_key={TMDB_KEY} failed")
    )
    entries.insert(
        -50, entry("legacy", START, "ERROR", "app.db", f"postgresql://aphrodite:{DB_PASSWORD}@db/x")
    )
    return write_log(log_path, entries)


def redacted_text(entries):
    return "".join(e.text.replace(TMDB_KEY, MASK).replace(DB_PASSWORD, MASK) + "\n" for e in entries)


def content(export):
    data = export.path.read_bytes()
    return (gzip.decompress(data) if export.compressed else data).decode()


async def test_a_log_within_the_limit_downloads_whole_and_redacted(aphrodite_log, written):
    async with aphrodite_log.export(LogQuery.parse(), size_limit=10 * MIB) as export:
        assert re.fullmatch(r"aphrodite-logs-\d{8}_\d{6}\.log", export.filename)
        assert not export.compressed and not export.partial and export.note is None
        assert content(export) == redacted_text(written)
        assert export.size == export.path.stat().st_size <= 10 * MIB


async def test_a_filtered_download_holds_only_matching_entries(aphrodite_log, written):
    async with aphrodite_log.export(LogQuery.parse("ERROR", "tmdb")) as export:
        assert content(export) == "".join(
            text + "\n" for text in expected(written, Level.ERROR, "tmdb")
        ).replace(TMDB_KEY, MASK)
        assert TMDB_KEY not in content(export)


async def test_over_the_limit_it_is_gzipped(aphrodite_log, written, log_path):
    limit = log_path.stat().st_size // 2
    async with aphrodite_log.export(LogQuery.parse(), size_limit=limit) as export:
        assert export.filename.endswith(".log.gz")
        assert export.compressed and not export.partial
        assert export.size <= limit
        assert content(export) == redacted_text(written)
        assert export.note.startswith("Gzipped to fit")


@pytest.mark.parametrize("query", [LogQuery.parse(), LogQuery.parse("INFO")])
async def test_when_even_gzip_is_too_big_the_newest_entries_that_fit_are_kept(aphrodite_log, written, query):
    limit = 40_000
    full = "".join(
        t.replace(TMDB_KEY, MASK).replace(DB_PASSWORD, MASK) + "\n" for t in expected(written, query.level)
    )
    async with aphrodite_log.export(query, size_limit=limit) as export:
        assert export.compressed and export.partial
        assert export.size <= limit
        kept = content(export)
        assert len(kept) > limit  # the room was used, not wasted
        assert full.endswith(kept)
        assert parse_header(kept.split("\n", 1)[0]) is not None  # starts at an entry
        assert export.included_from == parse_header(kept.split("\n", 1)[0]).timestamp
        assert export.note.startswith("Only the newest part fits (from ")


async def test_the_file_is_removed_after_use(aphrodite_log, written):
    async with aphrodite_log.export(LogQuery.parse()) as export:
        assert export.path.exists()
    assert not export.path.exists()
    assert os.listdir(export.path.parent.parent) == []


async def test_nothing_to_download_is_said_clearly(aphrodite_log, log_path):
    with pytest.raises(NothingToExport) as caught:
        async with aphrodite_log.export(LogQuery.parse()):
            pass
    assert "doesn't exist yet" in str(caught.value)
    write_log(log_path, generate(10, seed=1))
    with pytest.raises(NothingToExport) as caught:
        async with aphrodite_log.export(LogQuery.parse("ERROR", "no such words")):
            pass
    assert str(caught.value) == 'Nothing to download: nothing matches level ERROR, search "no such words".'


async def test_an_entry_too_big_to_fit_even_alone_is_refused(aphrodite_log, log_path):
    noise = os.urandom(200_000).hex()  # does not compress below the limit
    write_log(log_path, [entry("aphrodite", START, "ERROR", "app.x", noise)])
    with pytest.raises(ExportTooLarge):
        async with aphrodite_log.export(LogQuery.parse(), size_limit=10_000):
            pass
