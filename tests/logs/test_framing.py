"""Where entries start: the header rule, and the same rule as a pattern for scans in C."""

import random
import re

from bot.logs.framing import (
    NOT_TIMESTAMP_LINE,
    entry_start,
    header_between,
    is_header,
    not_timestamp_line_holding,
    starts_with_timestamp,
)

ALPHABET = "0123456789-: Tt{x"
STAMP = "2026-11-28 22:59:00"


def lines(seed: int, count: int = 4000) -> list[bytes]:
    """Random lines made mostly of timestamp characters, and every prefix of a real timestamp."""
    chosen = random.Random(seed)
    made = [STAMP[:k] + chosen.choice(ALPHABET) * (k % 3) for k in range(len(STAMP) + 1)]
    for _ in range(count):
        start = STAMP[: chosen.randrange(len(STAMP) + 1)]
        made.append(start + "".join(chosen.choice(ALPHABET) for _ in range(chosen.randrange(6))))
    return [line.encode() for line in made]


def test_the_pattern_takes_exactly_the_lines_that_start_with_no_timestamp():
    pattern = re.compile(NOT_TIMESTAMP_LINE)
    for line in lines(seed=1):
        assert (pattern.fullmatch(line) is not None) is not starts_with_timestamp(line, 0), line


def test_a_line_holding_text_outside_a_timestamp_is_always_taken():
    for text in (b"t", b"x", b"28 2", b"0:0", b"-", b"{x"):
        pattern = re.compile(not_timestamp_line_holding(re.escape(text)) + rb"[^\n]*")
        for line in lines(seed=2):
            taken = pattern.fullmatch(line) is not None
            if text in line and not starts_with_timestamp(line, 0):
                assert taken, (text, line)
            if taken:  # a timestamp line only when the text lies within the timestamp's length
                assert text in line and (not starts_with_timestamp(line, 0) or line.find(text) < len(STAMP))


def test_a_json_object_with_a_level_or_message_is_a_header_and_other_braces_are_not():
    data = b'{"level": "ERROR"}\n{"msg": "x"}\n{"other": 1}\n{not json\n[1, 2]\n'
    starts = [0, *(m.end() for m in re.finditer(b"\n", data))][:5]
    assert [is_header(data, start) for start in starts] == [True, True, False, False, False]


def test_an_entry_starts_at_the_header_above_its_continuation_lines():
    data = f"{STAMP} [ERROR] a\nTraceback\n  File x\n{{not json}}\n".encode()
    assert entry_start(data, data.index(b"  File"), 0) == 0
    assert entry_start(b"orphan\nmore\n", 7, 0) == 0  # lines before any header: an entry of their own


def test_a_header_between_two_lines_is_found_even_when_it_is_json():
    data = f'{STAMP} [ERROR] a\nmore\n{{"level": "INFO"}}\nlast\n'.encode()
    json_line, last = data.index(b'{"level"'), data.index(b"last")
    assert header_between(data, data.index(b"more"), last)
    assert not header_between(data, data.index(b"more"), json_line)
    assert header_between(data, json_line, json_line + 1)
