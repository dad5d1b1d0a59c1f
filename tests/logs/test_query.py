"""Queries: levels, plain and regular-expression searches, and the errors users get."""

import pytest

from bot.logs import InvalidQuery, Level, LogQuery, LogView


def test_all_and_no_search_is_everything():
    query = LogQuery.parse("ALL", None)
    assert query.is_everything
    assert query == LogQuery.parse("all", "   ")


@pytest.mark.parametrize(
    ("typed", "level"), [("error", Level.ERROR), ("WARN", Level.WARNING), ("fatal", Level.CRITICAL)]
)
def test_levels_are_read_in_any_case_and_with_aliases(typed, level):
    assert LogQuery.parse(typed).level is level


def test_an_unknown_level_is_a_usage_error():
    with pytest.raises(InvalidQuery) as caught:
        LogQuery.parse("LOUD")
    assert "ALL, DEBUG, INFO, WARNING, ERROR, CRITICAL" in str(caught.value)
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(
    ("search", "says"),
    [
        ("re:(a", "Invalid regular expression"),
        ("re:(a)\\1", "Backreferences"),
        ("re:foo(?=bar)", "Lookahead and lookbehind"),
        ("re:(?<!x)foo", "Lookahead and lookbehind"),
        ("re:", "empty"),
        ("x" * 1001, "too long"),
    ],
)
def test_a_bad_search_is_a_usage_error_that_says_why(search, says):
    with pytest.raises(InvalidQuery) as caught:
        LogQuery.parse("ALL", search)
    assert says in str(caught.value)
    assert caught.value.exit_code == 3


def test_plain_search_is_case_insensitive_including_non_ascii():
    assert LogQuery.parse("ALL", "TMDB").matcher.matches(b"tmdb lookup failed")
    assert LogQuery.parse("ALL", "AMÉLIE").matcher.matches("poster for Amélie".encode())
    assert not LogQuery.parse("ALL", "tmdb").matcher.matches(b"omdb")


def test_regex_search_is_case_insensitive_unless_asked():
    assert LogQuery.parse("ALL", r"re:timeout after \d+ s").matcher.matches(b"Timeout after 10 s")
    assert not LogQuery.parse("ALL", "re:(?-i)Timeout").matcher.matches(b"timeout")


def test_describe_names_the_filter():
    assert LogQuery.parse("ERROR", "tmdb").describe() == 'level ERROR, search "tmdb"'
    assert LogQuery.parse().describe() == "level ALL"


@pytest.mark.timeout(20)
async def test_a_catastrophic_pattern_on_a_long_line_completes(aphrodite_log, log_path):
    # (a+)+$ backtracks exponentially in re; RE2 runs in linear time.
    log_path.write_bytes(b"2026-11-28 22:59:00 [ERROR] app.x:1: " + b"a" * 60_000 + b"!\n")
    view = await aphrodite_log.view(LogQuery.parse("ALL", "re:(a+)+$"))
    assert isinstance(view, LogView)
    assert view.entries == ()
    view = await aphrodite_log.view(LogQuery.parse("ALL", "re:(a+)+!$"))
    assert len(view.entries) == 1
