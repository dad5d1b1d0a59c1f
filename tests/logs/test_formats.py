"""Every format of the table (bot/logs/formats.py), read from real output: counts, views, tracebacks.

The samples in tests/logs/formats/ were written by Python's logging with each format's own
Formatter (record_samples.py). What a query must find is worked out here by hand, the way one
reads the file with grep: a header is a line starting with a timestamp (or a JSON line), its
level the field where that format writes it; every other line belongs to the entry above.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.logs import LogCount, LogQuery, LogView
from bot.logs.entry import Level
from bot.logs.formats import FORMATS
from bot.logs.parse import header_level, parse_header

SAMPLES = Path(__file__).parent / "formats"
NAMES = [f.name for f in FORMATS]
# Each format's level as grep would find it (on purpose not derived from the table).
_LEVEL_OF = {
    "aphrodite": re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[([A-Z]+)\] "),
    "minimal": re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:,\d{3})? - ([A-Z]+) - "),
    "legacy": re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - [\w.]+ - ([A-Z]+) - "),
}
QUERIES = [
    ("DEBUG", None),
    ("INFO", None),
    ("WARNING", None),
    ("ERROR", None),
    ("CRITICAL", None),
    ("ERROR", "Image.py"),  # only in a traceback line (the JSON line's exc_info)
    ("CRITICAL", "direct cause"),  # a chained traceback, past its blank line
    ("WARNING", "error"),  # another level's name in a message
    ("ERROR", "error"),  # the search is the level field itself
    ("INFO", "critical"),
    ("ALL", "admin\\aphrodite"),  # a Windows path
]


def written_entries(fmt: str) -> list[tuple[str, str]]:
    """(level, text) of each entry of the sample, in file order."""
    entries: list[tuple[str, list[str]]] = []
    for line in (SAMPLES / f"{fmt}.log").read_text(encoding="utf-8").splitlines():
        if fmt == "json":
            entries.append((json.loads(line)["level"], [line]))
            continue
        header = _LEVEL_OF[fmt].match(line)
        if header:
            entries.append((header[1], [line]))
        else:
            entries[-1][1].append(line)
    return [(level, "\n".join(lines)) for level, lines in entries]


def found_by_hand(fmt: str, level: str, search: str | None) -> list[str]:
    return [
        text
        for written, text in written_entries(fmt)
        if level in ("ALL", written) and (search is None or search.lower() in text.lower())
    ]


@pytest.fixture
def sample(request: pytest.FixtureRequest, log_path: Path) -> str:
    """The sample of the format ``request.param``, as the log."""
    shutil.copyfile(SAMPLES / f"{request.param}.log", log_path)
    return str(request.param)


def test_every_format_of_the_table_has_a_sample_and_every_sample_a_format():
    assert sorted(NAMES) == sorted(path.stem for path in SAMPLES.glob("*.log"))


@pytest.mark.parametrize("fmt", NAMES)
def test_each_formats_example_is_an_error_header(fmt):
    [example] = [f.example for f in FORMATS if f.name == fmt]
    assert header_level(example.encode(), 0) is Level.ERROR
    assert parse_header(example).level is Level.ERROR


@pytest.mark.parametrize(("level", "search"), QUERIES)
@pytest.mark.parametrize("sample", NAMES, indirect=True)
async def test_a_count_equals_the_count_by_hand(aphrodite_log, sample, level, search, scan_engine):
    counted = await aphrodite_log.count(LogQuery.parse(level, search))
    assert isinstance(counted, LogCount)
    assert counted.matching == len(found_by_hand(sample, level, search))


@pytest.mark.parametrize(("level", "search"), QUERIES)
@pytest.mark.parametrize("sample", NAMES, indirect=True)
async def test_a_view_shows_the_entries_found_by_hand(aphrodite_log, sample, level, search, scan_engine):
    view = await aphrodite_log.view(LogQuery.parse(level, search), lines=1000)
    assert isinstance(view, LogView)
    assert [entry.text for entry in view.entries] == found_by_hand(sample, level, search)
    if level != "ALL":
        assert {entry.level for entry in view.entries} <= {Level.from_name(level)}


@pytest.mark.parametrize("sample", NAMES, indirect=True)
async def test_a_download_by_level_holds_the_entries_found_by_hand(aphrodite_log, sample, scan_engine):
    async with aphrodite_log.export(LogQuery.parse("ERROR")) as export:
        content = export.path.read_text(encoding="utf-8")
    assert content == "".join(text + "\n" for text in found_by_hand(sample, "ERROR", None))


@pytest.mark.parametrize("sample", NAMES, indirect=True)
async def test_a_traceback_with_windows_paths_stays_with_its_entry(aphrodite_log, sample, scan_engine):
    view = await aphrodite_log.view(LogQuery.parse("ERROR", "cannot open poster"))
    assert isinstance(view, LogView) and view.entries
    frame = 'File "C:\\Users\\admin\\aphrodite\\aphrodite_helpers\\badge_processor.py", line 13, in process'
    last = "PIL.Image.UnidentifiedImageError: cannot identify image file"
    for entry in view.entries:
        assert entry.level is Level.ERROR
        assert entry.message == "FAILED: Badge processing for The Matrix - cannot open poster"
        lines = entry.continuation if sample != "json" else json.loads(entry.text)["exc_info"].split("\n")
        assert lines[0] == "Traceback (most recent call last):"
        assert any(line.strip() == frame for line in lines)
        assert lines[-1].startswith(last)
