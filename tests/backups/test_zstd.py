"""zstd backups: restored by the bot like any other, flagged as ones Aphrodite's web UI cannot read."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc

import pytest
import zstandard

from bot.backups.compression import Compression
from bot.backups.dump_file import (
    CHUNK_SIZE,
    COMPLETION_MARKER,
    RATIO_AFTER_BYTES,
    RATIO_LIMIT,
    BackupCorrupt,
    DumpReader,
)
from bot.backups.inventory import scan_inventory
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    DUMP_HEAD,
    backup_dir,
    backup_service,
    database,
    fingerprint,
    mutate,
)
from tests.backups.test_restore_failures import assert_refused_untouched

ZST_NAME = "aphrodite_backup_20240101_000000.sql.zst"


def unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True).read()


async def test_zstd_backup_is_complete_verified_and_flagged_as_not_for_aphrodite(backup_service, backup_dir):
    result = await backup_service.create(label="alice", compression=Compression.ZSTD)

    assert result.name.endswith(".sql.zst") and result.compression is Compression.ZSTD
    data = result.path.read_bytes()
    sql = unzstd(data)
    assert COMPLETION_MARKER in sql[-300:] and result.sql_bytes == len(sql)
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)
    manifest = json.loads((backup_dir / f"{result.name}.json").read_text())
    assert (
        manifest["compression"] == "zstd" and manifest["compressed"] is True and manifest["verified"] is True
    )
    [listed] = await backup_service.list()
    assert listed.verified and listed.compression is Compression.ZSTD and not listed.aphrodite_can_restore


async def test_gzip_and_plain_backups_are_ones_aphrodite_can_restore(backup_service):
    gzipped = await backup_service.create(label="alice")
    plain = await backup_service.create(label="alice", compression=Compression.NONE)

    listed = {backup.name: backup for backup in await backup_service.list()}
    assert listed[gzipped.name].compression is Compression.GZIP and listed[gzipped.name].aphrodite_can_restore
    assert listed[plain.name].compression is Compression.NONE and listed[plain.name].aphrodite_can_restore


async def test_zstd_backup_restores_the_data(backup_service, aphrodite_db):
    original = await fingerprint(aphrodite_db.dsn)
    backup = await backup_service.create(label="alice", compression=Compression.ZSTD)
    await mutate(aphrodite_db.dsn)

    result = await backup_service.restore(backup.name, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original
    assert result.safety_backup.compression is Compression.GZIP


async def test_truncated_zstd_is_refused_before_the_database_is_touched(
    backup_service, aphrodite_db, backup_dir
):
    backup = await backup_service.create(label="alice", compression=Compression.ZSTD)
    await mutate(aphrodite_db.dsn)
    data = backup.path.read_bytes()
    (backup_dir / ZST_NAME).write_bytes(data[: len(data) // 2])

    await assert_refused_untouched(backup_service, aphrodite_db, backup_dir, ZST_NAME, "incomplete")


async def test_damaged_zstd_is_refused_before_the_database_is_touched(
    backup_service, aphrodite_db, backup_dir
):
    backup = await backup_service.create(label="alice", compression=Compression.ZSTD)
    await mutate(aphrodite_db.dsn)
    data = bytearray(backup.path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    (backup_dir / ZST_NAME).write_bytes(bytes(data))

    await assert_refused_untouched(backup_service, aphrodite_db, backup_dir, ZST_NAME, "damaged")


def test_a_zstd_file_that_expands_a_lot_is_read_in_bounded_pieces(tmp_path):
    sql = DUMP_HEAD.encode() + bytes(range(256)) * (12 * CHUNK_SIZE // 256)  # below the ratio cap
    path = tmp_path / ZST_NAME
    path.write_bytes(zstandard.ZstdCompressor().compress(sql))
    assert path.stat().st_size < 64 * 1024

    reader = DumpReader(path)
    sizes = [len(chunk) for chunk in reader.chunks()]

    assert max(sizes) <= CHUNK_SIZE and sum(sizes) == len(sql)
    assert reader.compression is Compression.ZSTD


def test_a_zstd_bomb_is_refused_while_it_streams_with_bounded_memory(tmp_path):
    # Far beyond 1000:1, as the audit's bomb: 2 GiB of SQL from a few KiB, refused once past the cap.
    path = tmp_path / ZST_NAME
    compressor = zstandard.ZstdCompressor().compressobj()
    with open(path, "wb") as file:
        file.write(compressor.compress(DUMP_HEAD.encode()))
        for _ in range(2048):
            file.write(compressor.compress(b"-" * CHUNK_SIZE))
        file.write(compressor.flush())
    reader = DumpReader(path)
    read = 0

    tracemalloc.start()
    try:
        with pytest.raises(BackupCorrupt, match=r"inflates more than 1000 times .* a decompression bomb"):
            for chunk in reader.chunks():
                read += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert read <= max(RATIO_AFTER_BYTES, RATIO_LIMIT * path.stat().st_size) + CHUNK_SIZE  # not 2 GiB
    assert peak < 8 * CHUNK_SIZE


def test_frames_written_one_after_another_read_as_one_dump(tmp_path):
    first, second = DUMP_HEAD.encode(), b"SELECT 1;\n" * 1000
    compressor = zstandard.ZstdCompressor()
    path = tmp_path / ZST_NAME
    path.write_bytes(compressor.compress(first) + compressor.compress(second))

    assert b"".join(DumpReader(path).chunks()) == first + second


def test_listing_vets_zstd_files_by_their_content(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / ZST_NAME).write_bytes(zstandard.ZstdCompressor().compress(DUMP_HEAD.encode()))
    garbage = "aphrodite_backup_20240102_000000.sql.zst"
    (folder / garbage).write_bytes(zstandard.FRAME_HEADER + bytes(range(64)))
    not_a_dump = "aphrodite_backup_20240103_000000.sql.zst"
    (folder / not_a_dump).write_bytes(zstandard.ZstdCompressor().compress(b"hello, not SQL"))

    inventory = scan_inventory(folder)

    [backup] = inventory.backups
    assert (
        backup.name == ZST_NAME
        and backup.compression is Compression.ZSTD
        and not backup.aphrodite_can_restore
    )
    reasons = {entry.name: entry.reason for entry in inventory.not_backups}
    assert "zstd data cannot be read" in reasons[garbage]
    assert "does not start like one" in reasons[not_a_dump]
