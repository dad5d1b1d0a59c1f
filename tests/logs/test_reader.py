"""Reading in chunks: every byte once, whole entries only, from either end."""

import pytest

from bot.logs import reader
from bot.logs.framing import is_header
from bot.logs.reader import LogHandle, chunks_backward, chunks_forward, entry_start_at_or_after
from tests.logs.generate import FORMATS, START, entry, generate, write_log


@pytest.fixture
def written(log_path):
    return write_log(log_path, generate(800, seed=5, formats=FORMATS))


@pytest.mark.parametrize("chunk_size", [1, 150, 4096, 1 << 20])
def test_chunks_cover_the_file_once_and_start_at_entries(log_path, written, chunk_size):
    data = log_path.read_bytes()
    with LogHandle(log_path) as handle:
        forward = list(chunks_forward(handle, chunk_size=chunk_size))
        backward = list(chunks_backward(handle, chunk_size=chunk_size))
    assert b"".join(c.text for c in forward) == data
    assert b"".join(c.text for c in reversed(backward)) == data
    for chunk in (*forward, *backward):
        assert is_header(chunk.data, chunk.start)


def test_an_entry_larger_than_the_largest_chunk_is_cut_at_a_line_without_losing_bytes(log_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_CHUNK", 4096)
    traceback = [f"  frame {n}" for n in range(2000)]
    write_log(log_path, [entry("aphrodite", START, "ERROR", "app", "deep", traceback), *generate(20, seed=1)])
    data = log_path.read_bytes()
    with LogHandle(log_path) as handle:
        assert b"".join(c.text for c in chunks_forward(handle, chunk_size=1024)) == data
        assert b"".join(c.text for c in reversed(list(chunks_backward(handle, chunk_size=1024)))) == data


def test_entry_start_at_or_after_finds_the_next_header(log_path, written):
    data = log_path.read_bytes()
    starts = [0]
    for item in written[:-1]:
        starts.append(starts[-1] + len(b"\n".join(item.lines)) + 1)
    with LogHandle(log_path) as handle:
        for offset in (0, 1, starts[5], starts[5] + 1, starts[400] - 1, len(data) - 3):
            expected = next((s for s in starts if s >= offset), len(data))
            assert entry_start_at_or_after(handle, offset, chunk_size=64) == expected


@pytest.mark.parametrize("where", ["first", "middle", "last", "last without a newline"])
@pytest.mark.timeout(10)
def test_a_line_longer_than_the_largest_chunk_comes_alone_and_every_read_advances(
    log_path, monkeypatch, where
):
    monkeypatch.setattr(reader, "MAX_CHUNK", 4096)
    monkeypatch.setattr(reader, "LONG_LINE_HEAD", 1000)
    monkeypatch.setattr(reader, "_SEEK_BLOCK", 512)
    huge = b"2026-11-28 00:00:00 [INFO] app:1: " + b"h" * 20_000
    others = [e.text.encode() for e in generate(30, seed=2)]
    lines = {"first": [huge, *others], "middle": [*others[:15], huge, *others[15:]]}.get(
        where, [*others, huge]
    )
    data = b"\n".join(lines) + (b"" if where == "last without a newline" else b"\n")
    log_path.write_bytes(data)
    with LogHandle(log_path) as handle:
        for chunks in (
            list(chunks_forward(handle, chunk_size=256)),
            list(chunks_backward(handle, chunk_size=256)),
        ):
            (long_one,) = [c for c in chunks if c.line_length is not None]
            assert long_one.text == huge[:1000]
            assert long_one.line_length == len(huge) + (0 if where == "last without a newline" else 1)
            assert sum(c.line_length or c.end - c.start for c in chunks) == len(data)
