"""Part bodies read from the open file by position: what was opened is what is sent."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from pathlib import Path
from typing import BinaryIO

import pytest

from bot.offsite.errors import OffsiteFailed
from bot.offsite.regions import CHUNK, RegionBody, Regions, region_md5


def opened(path: Path, mode: str = "rb") -> BinaryIO:
    return path.open(mode)


async def body_bytes(body: RegionBody) -> bytes:
    return b"".join([chunk async for chunk in body])


async def test_a_part_is_read_from_the_open_file_even_once_its_path_names_another(tmp_path):
    path, planted = tmp_path / "backup.sql", tmp_path / "planted.sql"
    original = os.urandom(3 * CHUNK + 123)
    path.write_bytes(original)
    planted.write_bytes(os.urandom(len(original)))
    with opened(path) as file:
        regions = Regions(file)
        os.replace(planted, path)  # swapped after it was opened

        body = RegionBody(regions, CHUNK - 7, 2 * CHUNK + 100)
        sent = await body_bytes(body)
        md5 = await regions.run(region_md5, CHUNK - 7, 2 * CHUNK + 100)
        await regions.stop()

    assert len(body) == len(sent) == 2 * CHUNK + 100
    assert sent == original[CHUNK - 7 : 3 * CHUNK + 93]
    assert md5 == hashlib.md5(sent).digest()


async def test_a_part_of_a_file_that_became_shorter_fails_instead_of_going_short(tmp_path):
    path = tmp_path / "backup.sql"
    path.write_bytes(os.urandom(2 * CHUNK))
    with opened(path, "r+b") as file:
        regions = Regions(file)
        file.truncate(CHUNK + 10)

        with pytest.raises(OffsiteFailed, match="became shorter"):
            await body_bytes(RegionBody(regions, 0, 2 * CHUNK))
        await regions.stop()


async def test_once_stopped_nothing_more_is_read(tmp_path):
    path = tmp_path / "backup.sql"
    path.write_bytes(b"x" * 100)
    with opened(path) as file:
        regions = Regions(file)
        await regions.stop()

        with pytest.raises(OffsiteFailed, match="no longer read"):
            await regions.read(0, 10)


async def test_a_read_left_running_by_a_cancelled_request_is_waited_for_even_through_cancellation(tmp_path):
    path = tmp_path / "backup.sql"
    path.write_bytes(b"x" * 100)
    release, started = threading.Event(), threading.Event()

    def slow_read(descriptor: int, offset: int, size: int) -> bytes:
        started.set()
        release.wait()
        return os.pread(descriptor, size, offset)

    with opened(path) as file:
        regions = Regions(file)
        request = asyncio.create_task(regions.run(slow_read, 0, 10))
        await asyncio.to_thread(started.wait)
        request.cancel()
        stopping = asyncio.create_task(regions.stop())
        await asyncio.sleep(0.05)
        stopping.cancel()  # the bot shutting down while the upload winds down
        await asyncio.sleep(0.05)

        assert not stopping.done()  # the thread still reads the descriptor: it stays open
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await stopping
        assert request.cancelled()
