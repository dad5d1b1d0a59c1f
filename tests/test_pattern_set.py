"""Several patterns in one pass: where each match ends, once per end, from any thread."""

import threading

import pytest

from bot import pattern_set

pytestmark = pytest.mark.skipif(pattern_set.compiled([b"x"]) is None, reason="Hyperscan is not installed")


def test_each_pattern_reports_where_its_matches_end_in_order():
    patterns = pattern_set.compiled([b"ab[^\\n]*$", pattern_set.caseless(b"Key")])
    assert patterns is not None
    assert [list(ends) for ends in patterns.match_ends(b"ab ab\nxKEY key\nab")] == [[5, 17], [10, 14]]


def test_a_line_pattern_reports_each_line_once_however_many_matches_it_holds():
    patterns = pattern_set.compiled([pattern_set.caseless(b"tmdb") + b"[^\\n]*$"])
    assert patterns is not None
    assert list(patterns.match_ends(b"tmdb TMDB tmdb\nnone\nTmDb")[0]) == [14, 24]


def test_ends_are_shifted_by_the_buffers_offset_in_its_file():
    patterns = pattern_set.compiled([b"ab"])
    assert patterns is not None
    assert list(patterns.match_ends(memoryview(b"xxab")[2:], base=2)[0]) == [4]


def test_escaped_text_matches_only_itself():
    text = b"a.b*c[d]\\e$"
    patterns = pattern_set.compiled([pattern_set.escaped(text)])
    assert patterns is not None
    assert list(patterns.match_ends(b"axbbc " + text)[0]) == [6 + len(text)]


def test_a_pattern_it_cannot_compile_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot compile"):
        pattern_set.compiled([b"(unclosed"])


def test_threads_scan_with_one_compiled_set_at_once():
    patterns = pattern_set.compiled([b"needle[^\\n]*$"])
    assert patterns is not None
    data = b"hay needle\n" * 50_000
    results: list[int] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            for _ in range(5):
                results.append(len(patterns.match_ends(data)[0]))
        except BaseException as error:  # a shared scratch space fails here
            errors.append(error)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [50_000] * 20
