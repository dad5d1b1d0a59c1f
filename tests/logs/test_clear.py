"""Clearing: archive beside the log, then truncate in place while Aphrodite keeps writing."""

import gzip
import os
import re

import pytest

from bot.logs import ClearFailed, LogFileMissing, LogStatus
from tests.logs.generate import generate, write_log
from tests.support.full_disk import files_cannot_grow_past


async def test_clear_archives_then_empties_the_file_the_writer_still_uses(aphrodite_log, log_path):
    write_log(log_path, generate(2000, seed=4))
    before = log_path.read_bytes()
    # Aphrodite's logging opens its file once, in append mode (O_APPEND), and keeps writing.
    with log_path.open("a", encoding="utf-8") as aphrodite:
        aphrodite.write("2026-11-28 22:58:59 [INFO] app.main:1: written before the clear\n")
        aphrodite.flush()
        result = await aphrodite_log.clear()
        aphrodite.write("2026-11-28 22:59:01 [INFO] app.main:1: written after the clear\n")
        aphrodite.flush()
        assert log_path.read_bytes() == b"2026-11-28 22:59:01 [INFO] app.main:1: written after the clear\n"
    archived = result.archive
    assert re.fullmatch(r"aphrodite-v2\.log\.\d{8}_\d{6}\.gz", archived.path.name)
    assert archived.path.parent == log_path.parent
    assert gzip.decompress(archived.path.read_bytes()) == (
        before + b"2026-11-28 22:58:59 [INFO] app.main:1: written before the clear\n"
    )
    assert result.cleared_bytes == len(before) + 64
    assert archived.size == archived.path.stat().st_size
    status = await aphrodite_log.status()
    assert isinstance(status, LogStatus)
    assert [a.path for a in status.archives] == [archived.path]


async def test_clear_without_archive_only_truncates(aphrodite_log, log_path):
    write_log(log_path, generate(100, seed=4))
    size = log_path.stat().st_size
    inode = log_path.stat().st_ino
    result = await aphrodite_log.clear(archive=False)
    assert result.archive is None and result.cleared_bytes == size
    assert log_path.stat().st_size == 0
    assert log_path.stat().st_ino == inode  # the same file, never recreated
    assert sorted(p.name for p in log_path.parent.iterdir()) == ["aphrodite-v2.log"]


async def test_two_clears_in_the_same_second_keep_both_archives(aphrodite_log, log_path):
    log_path.write_bytes(b"2026-11-28 22:59:00 [INFO] app:1: first\n")
    first = await aphrodite_log.clear()
    log_path.write_bytes(b"2026-11-28 22:59:00 [INFO] app:1: second\n")
    second = await aphrodite_log.clear()
    assert first.archive.path != second.archive.path
    assert gzip.decompress(first.archive.path.read_bytes()).endswith(b"first\n")
    assert gzip.decompress(second.archive.path.read_bytes()).endswith(b"second\n")


async def test_clearing_an_empty_log_archives_nothing(aphrodite_log, log_path):
    log_path.write_bytes(b"")
    result = await aphrodite_log.clear()
    assert result.archive is None and result.cleared_bytes == 0


async def test_clearing_a_missing_log_is_an_error_and_creates_nothing(aphrodite_log, log_path):
    with pytest.raises(LogFileMissing) as caught:
        await aphrodite_log.clear()
    assert str(log_path) in str(caught.value)
    assert list(log_path.parent.iterdir()) == []


async def test_when_the_archive_cannot_be_written_nothing_is_cleared(aphrodite_log, log_path):
    log_path.write_bytes(os.urandom(50_000))  # gzip cannot make this smaller than the 4 KiB allowed
    before = log_path.read_bytes()
    with files_cannot_grow_past(4096), pytest.raises(ClearFailed) as caught:
        await aphrodite_log.clear()
    assert "the log was not cleared" in str(caught.value)
    assert log_path.read_bytes() == before
    assert sorted(p.name for p in log_path.parent.iterdir()) == ["aphrodite-v2.log"]
