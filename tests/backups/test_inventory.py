"""Only dumps are backups: whatever else is planted in BACKUP_DIR is reported, never listed or touched."""

from __future__ import annotations

import gzip
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.backups.inventory import BackupNotFound, find_backup, open_backup
from bot.config import Secret, Settings
from tests.backups.fixtures import fingerprint, run_cli, write_dump_head

NAME = "aphrodite_backup_20250101_000000.sql.gz"


@pytest.fixture
def settings(aphrodite_db, tmp_path) -> Settings:
    (tmp_path / "backups").mkdir()
    return Settings(
        database_url=Secret(aphrodite_db.dsn), backup_dir=tmp_path / "backups", data_dir=tmp_path / "data"
    )


def outside_dump(folder: Path) -> Path:
    """A real-looking dump outside the backup folder."""
    (folder / "elsewhere").mkdir(exist_ok=True)
    return write_dump_head(folder / "elsewhere" / "other.sql.gz", compress=True)


def outside_secret(folder: Path) -> Path:
    (folder / "elsewhere").mkdir(exist_ok=True)
    secret = folder / "elsewhere" / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return secret


# Each plants something under a backup's name in the folder; the reason the listing must give.
PLANTS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "hard link to a file outside": (
        lambda path, tmp: os.link(outside_secret(tmp), path),
        "hard links",
    ),
    "hard link to a dump outside": (lambda path, tmp: os.link(outside_dump(tmp), path), "hard links"),
    "symlink to a dump outside": (lambda path, tmp: path.symlink_to(outside_dump(tmp)), "symbolic link"),
    "named pipe": (lambda path, tmp: os.mkfifo(path), "named pipe"),
    "directory": (lambda path, tmp: path.mkdir(), "directory"),
    "copy of /etc/passwd": (
        lambda path, tmp: path.write_bytes(outside_secret(tmp).read_bytes()),
        "not a plain-SQL pg_dump",
    ),
    "gzip of something else": (
        lambda path, tmp: path.write_bytes(gzip.compress(b"root:x:0:0\n" * 100)),
        "not a plain-SQL pg_dump",
    ),
    "damaged gzip": (lambda path, tmp: path.write_bytes(b"\x1f\x8b" + b"\x00" * 64), "gzip data"),
    "empty file": (lambda path, tmp: path.write_bytes(b""), "empty"),
    "custom-format archive": (lambda path, tmp: path.write_bytes(b"PGDMP\x01\x0e\x00" * 64), "pg_restore"),
}


@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
async def test_a_planted_file_is_reported_and_never_restored_or_deleted(
    plant, settings, aphrodite_db, tmp_path, capsys
):
    make, reason = PLANTS[plant]
    planted = settings.backup_dir / NAME
    make(planted, tmp_path)
    before = await fingerprint(aphrodite_db.dsn)

    assert await run_cli(settings, "backup", "list", "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    assert await run_cli(settings, "backup", "restore", NAME, "--yes") == 3
    assert await run_cli(settings, "backup", "delete", NAME, "--yes") == 3

    assert listing["backups"] == []
    ((entry),) = listing["not_backups"]
    assert entry["name"] == NAME and reason in entry["reason"]
    err = capsys.readouterr().err
    assert f"{NAME} in {settings.backup_dir} is not a backup" in err and reason in err
    assert planted.name in {entry.name for entry in settings.backup_dir.iterdir()}
    assert await fingerprint(aphrodite_db.dsn) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
async def test_a_dump_owned_by_a_stranger_is_not_a_backup(settings, capsys):
    planted = write_dump_head(settings.backup_dir / NAME, compress=True)
    os.chown(planted, 54321, 54321)

    assert await run_cli(settings, "backup", "list", "--json") == 0

    listing = json.loads(capsys.readouterr().out)
    assert listing["backups"] == []
    assert "belongs to user id 54321" in listing["not_backups"][0]["reason"]


async def test_dumps_are_listed_gzipped_or_plain_whatever_their_name_says(settings, capsys):
    write_dump_head(settings.backup_dir / "aphrodite_backup_20250101_000000.sql.gz", compress=True)
    write_dump_head(settings.backup_dir / "aphrodite_v2_backup_20240101_000000.sql")
    write_dump_head(settings.backup_dir / "aphrodite_backup_20230101_000000.sql.gz", compress=False)

    assert await run_cli(settings, "backup", "list", "--json") == 0

    listing = json.loads(capsys.readouterr().out)
    assert [(b["name"], b["compressed"]) for b in listing["backups"]] == [
        ("aphrodite_backup_20250101_000000.sql.gz", True),
        ("aphrodite_v2_backup_20240101_000000.sql", False),
        ("aphrodite_backup_20230101_000000.sql.gz", False),
    ]
    assert listing["not_backups"] == []


async def test_names_from_disk_cannot_break_the_table(settings, capsys):
    real = write_dump_head(settings.backup_dir / NAME, compress=True)
    for planted in (NAME.replace(".gz", ".gz\n"), "aphrodite_backup_\x1b[31mred.sql", "notes\r\nfake row"):
        (settings.backup_dir / planted).write_bytes(real.read_bytes())

    assert await run_cli(settings, "backup", "list") == 0

    lines = capsys.readouterr().out.splitlines()
    assert "\x1b" not in "".join(lines) and "\r" not in "".join(lines)
    assert lines[1].startswith(NAME) and lines[2] == f"1 backup(s) in {settings.backup_dir}."
    assert lines[3].startswith("Not backups (3;")
    assert sorted(line.split(":")[0].strip() for line in lines[4:]) == [
        "aphrodite_backup_20250101_000000.sql.gz\\x0a",
        "aphrodite_backup_\\x1b[31mred.sql",
        "notes\\x0d\\x0afake row",
    ]


async def test_a_name_with_a_trailing_newline_is_not_a_backup_name(settings):
    write_dump_head(settings.backup_dir / NAME, compress=True)

    with pytest.raises(BackupNotFound, match="is not a backup name"):
        await find_backup(settings.backup_dir, NAME + "\n")


async def test_a_backup_swapped_after_it_was_checked_is_not_opened(settings, tmp_path):
    path = write_dump_head(settings.backup_dir / NAME, compress=True)
    backup = await find_backup(settings.backup_dir, NAME)
    path.unlink()
    path.symlink_to(outside_secret(tmp_path))

    # The link may even get the freed inode number of the file it replaced: refused all the same.
    with pytest.raises(BackupNotFound, match=r"replaced|is a symbolic link"):
        open_backup(backup)


async def test_the_sidecar_of_a_backup_is_not_reported_but_a_planted_pipe_sidecar_is_harmless(settings):
    write_dump_head(settings.backup_dir / NAME, compress=True)
    os.mkfifo(settings.backup_dir / f"{NAME}.json")

    backup = await find_backup(settings.backup_dir, NAME)  # returns: the pipe is never opened to wait

    assert backup.manifest is None and backup.made_by_aphrodite


async def test_a_device_named_like_a_backup_is_never_opened(settings, capsys):
    planted = settings.backup_dir / NAME
    try:  # /dev/zero's numbers: reading it would never end
        os.mknod(planted, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")

    assert await run_cli(settings, "backup", "list", "--json") == 0

    listing = json.loads(capsys.readouterr().out)
    assert listing["backups"] == [] and listing["not_backups"][0]["reason"] == "is a device"


async def test_a_directory_named_like_a_temporary_file_does_not_stop_a_backup(settings, capsys):
    (settings.backup_dir / ".aphrodite_backup_20250101_000000.sql.gz.1234abcd.partial").mkdir()

    assert await run_cli(settings, "backup", "create", "--json") == 0

    assert json.loads(capsys.readouterr().out)["name"].startswith("aphrodite_backup_")
