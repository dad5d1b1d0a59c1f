"""A plain search sees raw bytes only where they are the shown text: same answers, no oracle."""

import base64

import pytest
import re2

from bot.logs import LogQuery
from bot.logs.reader import LogHandle, chunks_forward
from bot.logs.scan import ChunkScanner
from bot.logs.search import count_matching, newest_matching
from bot.logs.searchable import searchable
from bot.logs.shown import show
from bot.redact import MASK, Redactor
from tests.logs.conftest import DB_PASSWORD, TMDB_KEY
from tests.logs.generate import FORMATS, generate, write_log

NASTY_LINES = (
    b"orphan tmdb line before any header\n",
    f"2026-11-28 00:00:00 [ERROR] app.services.tmdb:88: GET ?api_key={TMDB_KEY} failed\n".encode(),
    b"2026-11-28 00:00:01 [INFO] app.http:12: sent Authorization: Bearer\n",
    b"    abcdefghijklmnopqrstuv tmdb\n",
    b"2026-11-28 00:00:02 [INFO] app.titles:7: caf\xc3 \xff title tmdb\n",
    b"2026-11-28 00:00:03 [WARNING] app.win:3: windows line tmdb\r\n",
    b'{"level": "ERROR", "message": "bad \xff byte tmdb"}\n',
    b"{not json, a continuation line mentioning tmdb}\n",
    b"2026-11-28 00:00 [ERROR] a partial stamp: a continuation line, tmdb\n",
    f"2026-11-28 00:00:04,120 - app.core.database - ERROR - postgresql://aphrodite:{DB_PASSWORD}@db/x\n".encode(),
    b'  File "app/services/tmdb.py", line 88, in fetch: token=\\"abc123\\" key\n',
)
NEEDLES = (
    "tmdb", "***", "key", "api_key=***", "tmdb-key", TMDB_KEY[:10], "bearer", "caf", "title",
    "windows line", "bad", "orphan", "pg-pass", "://", "aphrodite:", "abcdefgh", "nothing-like-this",
)  # fmt: skip


@pytest.fixture
def nasty_log(log_path):
    write_log(log_path, generate(300, seed=4, formats=FORMATS))
    with log_path.open("ab") as file:
        file.write(b"".join(NASTY_LINES) * 3)
    write_log(log_path, generate(300, seed=5, formats=FORMATS), mode="ab")
    return log_path


@pytest.mark.parametrize("chunk_size", [200, 4096, 1 << 20])
@pytest.mark.parametrize("level", ["ALL", "ERROR", "INFO"])
def test_a_plain_search_finds_the_same_entries_as_on_the_shown_text(nasty_log, redactor, chunk_size, level):
    for needle in NEEDLES:
        query = LogQuery.parse(level, needle)
        with LogHandle(nasty_log) as handle:
            for raw in chunks_forward(handle, chunk_size=chunk_size):
                fast, slow = searchable(raw, redactor, query), show(raw, redactor)
                found = fast.file_offsets(ChunkScanner(query).starts(fast.chunk))
                wanted = slow.file_offsets(ChunkScanner(query).starts(slow.chunk))
                assert found == wanted, (needle, raw.offset)


@pytest.mark.parametrize("chunk_size", [300, 1 << 20])
def test_a_plain_search_shows_what_the_same_regular_expression_shows(nasty_log, redactor, chunk_size):
    # A regular expression is always decided on the shown text: the plain search must agree.
    for level in ("ALL", "ERROR"):
        for needle in NEEDLES:
            with LogHandle(nasty_log) as handle:
                text, regex = LogQuery.parse(level, needle), LogQuery.parse(level, "re:" + re2.escape(needle))
                plain = newest_matching(handle, text, redactor, 10_000, None, chunk_size)
                shown = newest_matching(handle, regex, redactor, 10_000, None, chunk_size)
            assert plain.entries == shown.entries, needle
            assert all(TMDB_KEY not in e.text and DB_PASSWORD not in e.text for e in plain.entries)


@pytest.mark.parametrize("chunk_size", [300, 4096, 1 << 20])
def test_a_plain_count_equals_the_same_regular_expressions_count(nasty_log, redactor, chunk_size):
    # The plain-text count has its own fast paths (needle loop, entry ends): the regex path is the oracle.
    for level in ("ALL", "ERROR", "INFO", "WARNING"):
        for needle in NEEDLES:
            text, regex = LogQuery.parse(level, needle), LogQuery.parse(level, "re:" + re2.escape(needle))
            with LogHandle(nasty_log) as handle:
                plain = count_matching(handle, text, redactor, chunk_size=chunk_size)
            with LogHandle(nasty_log) as handle:
                shown = count_matching(handle, regex, redactor, chunk_size=chunk_size)
            assert plain.matching == shown.matching, (level, needle)


def test_the_text_searched_differs_from_the_shown_text_only_on_lines_without_the_search(nasty_log, redactor):
    with LogHandle(nasty_log) as handle:
        for raw in chunks_forward(handle, chunk_size=4096):
            shown_lines = show(raw, redactor).chunk.text.split(b"\n")
            for needle in NEEDLES:
                searched = searchable(raw, redactor, LogQuery.parse("ALL", needle)).chunk.text.split(b"\n")
                assert len(searched) == len(shown_lines)
                lowered = needle.lower().encode()
                for line, shown_line in zip(searched, shown_lines, strict=True):
                    as_shown = line.rstrip(b"\r").decode(errors="replace").encode()  # as shown.py decodes
                    if as_shown != shown_line:  # a line redaction changes, left raw
                        assert lowered not in line.lower() and lowered not in shown_line.lower(), needle


def test_a_count_for_a_secrets_prefix_equals_a_count_for_nothing(nasty_log, redactor):
    def count(search):
        with LogHandle(nasty_log) as handle:
            return count_matching(handle, LogQuery.parse("ALL", search), redactor)

    secret, nothing = count(TMDB_KEY[:12]), count("zq-nothing-x")
    assert secret == nothing
    assert secret.matching == 0 and secret.scanned_bytes == nasty_log.stat().st_size


def test_a_secret_spanning_lines_makes_plain_searches_read_the_shown_text(log_path):
    redactor = Redactor(("first-half-77\nsecond-half-88",))
    log_path.write_bytes(b"2026-11-28 00:00:00 [INFO] app.x:1: key first-half-77\nsecond-half-88 tmdb\n")
    with LogHandle(log_path) as handle:
        raw = next(chunks_forward(handle))
        searched = searchable(raw, redactor, LogQuery.parse("ALL", "second-half"))
        assert searched.exact and b"second-half-88" not in searched.chunk.text
        assert count_matching(handle, LogQuery.parse("ALL", "second-half"), redactor).matching == 0
        assert count_matching(handle, LogQuery.parse("ALL", "tmdb"), redactor).matching == 1


def _forms_of(key: str) -> list[str]:
    """Forms of a key that the redactor masks (see bot/secret_forms.py)."""
    return [
        key.upper(),
        "".join(f"%{byte:02x}" for byte in key.encode()),
        "".join(f"\\u{ord(char):04x}" for char in key),
        key.encode().hex().upper(),
        base64.b64encode(b"u" + key.encode()).decode()[2:-2],
        f"{key[:9]} {key[9:]}",
    ]


@pytest.mark.parametrize("form", range(len(_forms_of(TMDB_KEY))))
async def test_every_form_of_a_key_is_masked_when_shown_and_when_searched(aphrodite_log, log_path, form):
    written = _forms_of(TMDB_KEY)[form]
    log_path.write_text(
        f"2026-11-28 00:00:00 [ERROR] app.x:1: echoed {written} back\n"
        f"2026-11-28 00:00:01 [ERROR] app.x:1: cut {TMDB_KEY[:9]}\n{TMDB_KEY[9:]} there\n"
        "2026-11-28 00:00:02 [INFO] app.x:1: nothing here\n"
    )
    view = await aphrodite_log.view(LogQuery.parse("ALL"))
    assert [entry.text for entry in view.entries] == [
        f"2026-11-28 00:00:00 [ERROR] app.x:1: echoed {MASK} back",
        f"2026-11-28 00:00:01 [ERROR] app.x:1: cut {MASK}\n{MASK} there",
        "2026-11-28 00:00:02 [INFO] app.x:1: nothing here",
    ]
    for probe in (written, written[:12], written[-12:], TMDB_KEY[9:], TMDB_KEY[:9].upper()):
        assert (await aphrodite_log.count(LogQuery.parse("ALL", probe))).matching == 0, probe
        assert (await aphrodite_log.view(LogQuery.parse("ERROR", probe))).entries == (), probe


def test_a_search_found_on_no_line_reads_the_raw_bytes_unredacted(nasty_log, redactor):
    with LogHandle(nasty_log) as handle:
        for raw in chunks_forward(handle, chunk_size=4096):
            searched = searchable(raw, redactor, LogQuery.parse("ALL", "zq-nothing-x"))
            assert searched.chunk.text == raw.text and not searched.exact


def test_a_search_holding_a_mask_is_decided_on_the_shown_text(nasty_log, redactor):
    with LogHandle(nasty_log) as handle:
        raw = next(chunks_forward(handle))
        searched = searchable(raw, redactor, LogQuery.parse("ALL", "api_key=***"))
        assert searched.exact and searched.chunk.text == show(raw, redactor).chunk.text
        assert count_matching(handle, LogQuery.parse("ALL", "api_key=***"), redactor).matching == 3
