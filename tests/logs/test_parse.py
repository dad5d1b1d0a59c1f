"""Parsing: the three formats, level aliases, continuation lines, bad bytes and huge lines."""

from datetime import datetime

import pytest

from bot.logs.chunk import Chunk
from bot.logs.entry import DISPLAY_LINE_CHARS, Level
from bot.logs.parse import build_entry, header_level, parse_header
from bot.logs.shown import show
from bot.redact import MASK
from tests.logs.conftest import TMDB_KEY
from tests.logs.generate import format_header

WHEN = datetime(2026, 11, 28, 22, 59, 0, 195000)


@pytest.mark.parametrize("fmt", ["aphrodite", "legacy", "json"])
def test_each_format_gives_timestamp_level_logger_and_message(fmt):
    line = format_header(fmt, WHEN, "ERROR", "app.services.tmdb", "TMDB lookup failed", lineno=88)
    header = parse_header(line)
    assert header.level is Level.ERROR
    assert header.logger == "app.services.tmdb"
    assert header.message == "TMDB lookup failed"
    expected = WHEN if fmt != "aphrodite" else WHEN.replace(microsecond=0)
    assert header.timestamp == expected
    assert header_level(line.encode(), 0) is Level.ERROR


@pytest.mark.parametrize("stamp", ["2025-06-09 15:40:27", "2025-06-09 15:40:27,195"])
def test_the_three_field_format_is_told_apart_from_the_four_field_one_on_each_line(stamp):
    three = f"{stamp} - ERROR - FAILED: Test failed operation - Simulated - error"
    header = parse_header(three)
    assert (header.level, header.logger, header.message) == (
        Level.ERROR,
        None,
        "FAILED: Test failed operation - Simulated - error",
    )
    assert header_level(three.encode(), 0) is Level.ERROR
    four = f"{stamp} - aphrodite - WARNING - MILESTONE - done"
    header = parse_header(four)
    assert (header.level, header.logger, header.message) == (Level.WARNING, "aphrodite", "MILESTONE - done")
    assert header_level(four.encode(), 0) is Level.WARNING


def test_todays_format_gives_the_source_line():
    header = parse_header("2026-11-28 22:59:00 [INFO] app.api.routes.posters:214: Poster saved")
    assert (header.logger, header.source_line, header.message) == (
        "app.api.routes.posters",
        214,
        "Poster saved",
    )


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("WARN", Level.WARNING),
        ("FATAL", Level.CRITICAL),
        ("warning", Level.WARNING),
        ("Critical", Level.CRITICAL),
    ],
)
def test_level_aliases_and_case_are_understood(written, level):
    assert parse_header(f"2026-11-28 22:59:00 [{written}] app.x:1: m").level is level
    assert (
        parse_header(f'{{"timestamp": "2026-11-28T22:59:00", "level": "{written}", "message": "m"}}').level
        is level
    )
    assert header_level(f"2026-11-28 22:59:00,001 - app.x - {written} - m".encode(), 0) is level


def test_a_header_with_an_unreadable_level_is_kept_as_unknown():
    header = parse_header("2026-11-28 22:59:00 something happened without a level")
    assert header.level is Level.UNKNOWN
    assert header.message == "something happened without a level"
    assert parse_header("2026-11-28 22:59:00 [NOTICE] app.x:1: hello").level is Level.UNKNOWN


@pytest.mark.parametrize(
    "line",
    [
        "Traceback (most recent call last):",
        '  File "/app/app/services/tmdb.py", line 88, in fetch',
        "{'not': 'json, a dict printed by a traceback'}",
        '{"status": 500}',
        "",
    ],
)
def test_lines_without_a_header_are_continuations(line):
    assert parse_header(line) is None
    assert header_level(line.encode(), 0) is None


def shown_entry(raw, offset, redactor):
    """The entry as a view shows it: redacted and cut (shown.py), then parsed."""
    return build_entry(show(Chunk(offset, raw, 0, len(raw)), redactor).chunk.data, offset)


def test_an_entry_keeps_its_traceback_lines(redactor):
    raw = (
        b"2026-11-28 22:59:00 [ERROR] app.w:1: Failed\nTraceback (most recent call last):\nValueError: bad\n"
    )
    entry = shown_entry(raw, 1234, redactor)
    assert entry.level is Level.ERROR
    assert entry.message == "Failed"
    assert entry.continuation == ("Traceback (most recent call last):", "ValueError: bad")
    assert entry.text == raw.decode().rstrip("\n")
    assert entry.offset == 1234


def test_lines_before_any_header_form_an_entry_of_unknown_level(redactor):
    entry = shown_entry(b"  continued from a rotated file\nmore\n", 0, redactor)
    assert entry.level is Level.UNKNOWN
    assert entry.timestamp is None
    assert entry.text == "  continued from a rotated file\nmore"


def test_invalid_utf8_is_replaced_instead_of_failing(redactor):
    entry = shown_entry(b"2026-11-28 22:59:00 [INFO] app.x:1: poster \xff\xfe name \xc3\n", 0, redactor)
    assert entry.message == "poster \ufffd\ufffd name \ufffd"


def test_a_long_line_is_cut_for_display_with_a_marker(redactor):
    raw = b"2026-11-28 22:59:00 [INFO] app.x:1: " + b"x" * 10_000
    entry = shown_entry(raw, 0, redactor)
    assert entry.truncated
    assert len(entry.text) < DISPLAY_LINE_CHARS + 100
    assert entry.text.endswith(f"[{len(raw) - DISPLAY_LINE_CHARS} more characters]")


def test_a_huge_line_is_cut_and_a_key_past_the_cut_never_shows(redactor):
    raw = b"2026-11-28 22:59:00 [INFO] app.x:1: " + b"y" * 5_000_000 + TMDB_KEY.encode()
    entry = shown_entry(raw, 0, redactor)
    assert entry.truncated and TMDB_KEY not in entry.text
    assert len(entry.text) < DISPLAY_LINE_CHARS + 100


def test_every_field_of_an_entry_is_redacted(redactor):
    raw = (
        f"2026-11-28 22:59:00 [ERROR] app.services.tmdb:88: GET /3/movie/1?api_key={TMDB_KEY} failed\n"
        "  headers={'Authorization': 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig'}\n"
    ).encode()
    entry = shown_entry(raw, 0, redactor)
    for text in (entry.text, entry.message, *entry.continuation):
        assert TMDB_KEY not in text and "eyJhbGciOiJIUzI1NiJ9" not in text
    assert MASK in entry.message


def test_a_json_message_is_unescaped_and_redacted(redactor):
    line = format_header(
        "json", WHEN, "ERROR", "app.db", f"connect postgresql://aphrodite:{TMDB_KEY}@db/x failed"
    )
    entry = shown_entry(line.encode(), 0, redactor)
    assert entry.message == f"connect postgresql://aphrodite:{MASK}@db/x failed"
    assert TMDB_KEY not in entry.text


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-28 22:59:00 [ERROR]",
        "2026-11-28 22:59:00 [error]no space",
        "2026-11-28T22:59:00.123 [Error] app:1: iso separator",
        '{"levelname": "error", "msg": "stdlib field names"}',
    ],
)
def test_the_level_that_filters_is_the_level_that_is_shown(line):
    assert header_level(line.encode(), 0) is parse_header(line).level is Level.ERROR
