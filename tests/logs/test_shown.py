"""The log as shown: redacted line for line, long lines cut with a marker, a key across the cut masked."""

import pytest

from bot.logs.chunk import Chunk
from bot.logs.shown import LINE_LIMIT, show
from bot.redact import MASK
from tests.logs.conftest import JELLYFIN_KEY, TMDB_KEY

HEADER = b"2026-11-28 22:59:00 [INFO] app.x:1: "


def shown_text(data: bytes, redactor) -> str:
    return show(Chunk(0, data, 0, len(data)), redactor).chunk.data.decode()


@pytest.mark.parametrize("shift", range(-len(TMDB_KEY), 2))
def test_a_key_straddling_the_cut_of_a_long_line_is_masked_whole(redactor, shift):
    before = LINE_LIMIT - len(HEADER) + shift
    line = HEADER + b"y" * before + TMDB_KEY.encode() + b"z" * 90_000
    data = b"first line\n" + line + b"\nlast line " + JELLYFIN_KEY.encode() + b"\n"
    text = shown_text(data, redactor)
    first, cut, last, end = text.split("\n")
    assert (first, last, end) == ("first line", f"last line {MASK}", "")
    assert cut.endswith(f" … [line truncated, {len(line):,} bytes]")
    for piece in (TMDB_KEY[:3], TMDB_KEY[-3:]):
        assert piece not in cut
    if shift < 0:  # the key starts before the cut: its mask is shown, nothing of it
        assert MASK in cut


def test_lines_are_neither_added_nor_removed(redactor):
    lines = [b"short", HEADER + b"a" * (LINE_LIMIT + 5), b"", b"tail \xff\xfe", HEADER + b"b" * LINE_LIMIT]
    data = b"\n".join(lines) + b"\n"
    assert shown_text(data, redactor).count("\n") == data.count(b"\n")


def test_a_key_cut_at_a_line_end_where_a_piece_of_redaction_ends_is_masked_on_both_lines(redactor):
    # Text is redacted a piece (about 1 MiB of lines) at a time: the line ending with the key's
    # start must not end a piece, or neither half would be seen as the key.
    filler = HEADER + b"x" * 90 + b"\n"
    lines = filler * ((1024 * 1024 - 200) // len(filler))
    over = b"f" * (1024 * 1024 - len(lines))  # this line goes past the first MiB
    cut = HEADER + over + b" saved " + TMDB_KEY[:10].encode() + b"\n" + TMDB_KEY[10:].encode() + b" ok\n"
    text = shown_text(lines + cut + filler, redactor)
    assert TMDB_KEY[:10] not in text and TMDB_KEY[10:] not in text
    assert text.endswith(f" saved {MASK}\n{MASK} ok\n" + filler.decode())
    assert text.count("\n") == (lines + cut + filler).count(b"\n")
