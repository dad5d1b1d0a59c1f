"""The C pass (candidates.py) changes how much work a search does, never its answer.

Random logs made of the cases that trouble a scanner (every header format, lines that almost
look like headers, level names in messages, JSON that is no header, lines before any header,
CRLF) are counted and viewed with plain text, through the C pass, and with the same text as a
regular expression, which never uses it: both must agree, with Hyperscan and without it.
"""

import json
import random
from pathlib import Path

import pytest
import re2

from bot.logs import LogQuery
from bot.logs.reader import LogHandle
from bot.logs.search import count_matching, newest_matching
from bot.redact import Redactor

NEEDLES = (
    "tmdb", "error", "[error]", "error] app", "r] a", "2026", "28 00:0", "t", "0 [e", "{", "level",
    "warn", "- error -", '"error"', "x tmdb", "fatal", "e", "token=", "nothing-like-this",
)  # fmt: skip
LEVELS = ("ALL", "ERROR", "WARNING", "CRITICAL", "INFO")
WORDS = ("tmdb", "error", "TimeoutError", "[error]", "warn", "x", "2026", "level", "{", "t", "- ERROR -")
CONTINUATIONS = (
    "Traceback (most recent call last):", '  File "app/services/tmdb.py", line 88', "{not json tmdb}",
    '{"a": 1} tmdb', "2026-11-28 00:00 a partial stamp, tmdb", "", "error] app tmdb", "t",
    "   28 00:00 tmdb", "token=abc123 tmdb", '["level", "error"]',
)  # fmt: skip


def message(chosen: random.Random) -> str:
    return " ".join(chosen.choice(WORDS) for _ in range(chosen.randrange(1, 5)))


def header(chosen: random.Random, second: int) -> str:
    stamp = f"2026-11-28{chosen.choice(' T')}00:{second // 60 % 60:02d}:{second % 60:02d}"
    level = chosen.choice(("ERROR", "error", "Warn", "WARNING", "INFO", "CRITICAL", "FATAL", "debug", "NOPE"))
    form = chosen.randrange(5)
    if form == 0:
        return f"{stamp} [{level}] app.{chosen.choice(WORDS)}:{second}: {message(chosen)}"
    if form == 1:
        logger = chosen.choice(("tmdb", "x"))
        return f"{stamp},{second % 1000:03d} - app.{logger} - {level} - {message(chosen)}"
    if form == 2:
        level_key, message_key = chosen.choice(("level", "levelname")), chosen.choice(("message", "msg"))
        return json.dumps({"timestamp": stamp, level_key: level, message_key: message(chosen)})
    if form == 3:
        return f"{stamp} {message(chosen)}"
    return f"{stamp} [{level}] {message(chosen)}"


def write_random_log(path: Path, seed: int, entries: int = 300) -> None:
    chosen = random.Random(seed)
    lines = [f"orphan {message(chosen)}" for _ in range(chosen.randrange(3))]
    for second in range(entries):
        lines.append(header(chosen, second))
        lines += [chosen.choice(CONTINUATIONS) for _ in range(chosen.choice((0, 0, 1, 2, 4)))]
    path.write_bytes("".join(line + chosen.choice(("\n", "\n", "\r\n")) for line in lines).encode())


@pytest.mark.parametrize("seed", [1, 2])
def test_counts_through_the_c_pass_equal_the_regular_expressions_counts(tmp_path, scan_engine, seed):
    path, redactor = tmp_path / "aphrodite.log", Redactor(["abc123"])
    write_random_log(path, seed)
    for chunk_size in (256, 1 << 20):
        for level in LEVELS:
            for needle in NEEDLES:
                plain = LogQuery.parse(level, needle)
                regex = LogQuery.parse(level, "re:" + re2.escape(needle))
                with LogHandle(path) as handle:
                    found = count_matching(handle, plain, redactor, chunk_size=chunk_size).matching
                with LogHandle(path) as handle:
                    wanted = count_matching(handle, regex, redactor, chunk_size=chunk_size).matching
                assert found == wanted, (chunk_size, level, needle)


def test_views_through_the_c_pass_equal_the_regular_expressions_views(tmp_path, scan_engine):
    path, redactor = tmp_path / "aphrodite.log", Redactor(["abc123"])
    write_random_log(path, seed=3)
    for level in LEVELS:
        for needle in NEEDLES:
            plain = LogQuery.parse(level, needle)
            regex = LogQuery.parse(level, "re:" + re2.escape(needle))
            with LogHandle(path) as handle:
                found = newest_matching(handle, plain, redactor, 10_000, None, 512).entries
            with LogHandle(path) as handle:
                wanted = newest_matching(handle, regex, redactor, 10_000, None, 512).entries
            assert found == wanted, (level, needle)


def test_the_random_logs_hold_what_the_comparison_needs(tmp_path):
    # Guards the test above against a generator that stopped making the hard cases.
    path = tmp_path / "aphrodite.log"
    write_random_log(path, seed=1)
    with LogHandle(path) as handle:
        counts = {
            needle: count_matching(handle, LogQuery.parse("ERROR", needle), Redactor()).matching
            for needle in ("tmdb", "error", "2026")
        }
    assert all(count > 5 for count in counts.values()), counts


def test_a_search_too_long_for_the_c_pass_is_answered_all_the_same(tmp_path, scan_engine):
    path, needle = tmp_path / "aphrodite.log", "x" * 1000
    path.write_text(
        f"2026-11-28 00:00:00 [ERROR] a {needle}\n  {needle}\n2026-11-28 00:00:01 [INFO] {needle}\n"
    )
    for level, entries in (("ALL", 2), ("ERROR", 1), ("WARNING", 0)):
        with LogHandle(path) as handle:
            assert count_matching(handle, LogQuery.parse(level, needle), Redactor()).matching == entries
