"""Real ways a state store breaks on disk, for the tests of what the bot does then.

Nothing is mocked: the file is damaged, truncated, made immutable (``chattr +i``, which stops
root too, where the permission bits would not) or replaced by a folder, DATA_DIR is a file, a
value is not JSON. `full_disk_limit` gives the RLIMIT_FSIZE for a child process whose writes
must fail as on a full disk.
"""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STATE_FILE = "state.sqlite3"


def write_real_store(path: Path, rows: int = 200) -> None:
    """A valid store with enough rows to span many pages (so a truncation cuts a table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    )
    connection.executemany(
        "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
        [(f"filler.{n}", '"' + "x" * 900 + '"') for n in range(rows)],
    )
    connection.commit()
    connection.close()


def corrupt_bytes(data_dir: Path) -> Path:
    path = data_dir / STATE_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not SQLite, it was overwritten\n" * 200)
    return path


def truncated(data_dir: Path) -> Path:
    path = data_dir / STATE_FILE
    write_real_store(path)
    os.truncate(path, path.stat().st_size // 3)
    return path


def bad_json_row(data_dir: Path, key: str = "alerts.engine") -> Path:
    path = data_dir / STATE_FILE
    write_real_store(path, rows=1)
    connection = sqlite3.connect(path)
    connection.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, "{not json"))
    connection.commit()
    connection.close()
    return path


def data_dir_is_a_file(data_dir: Path) -> Path:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("DATA_DIR should be a folder\n")
    return data_dir / STATE_FILE


def folder_instead_of_file(data_dir: Path) -> Path:
    path = data_dir / STATE_FILE
    path.mkdir(parents=True)
    return path


@contextmanager
def immutable(path: Path) -> Iterator[Path]:
    """``path`` read-only even for root (``chattr +i``) until the block ends; skips where unsupported."""
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here (needs ext4/xfs and CAP_LINUX_IMMUTABLE)")
    try:
        yield path
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def read_only_file(data_dir: Path) -> Path:
    """A valid store, for `immutable`: reads work, every write fails."""
    path = data_dir / STATE_FILE
    write_real_store(path, rows=1)
    return path


def full_disk_limit(data_dir: Path) -> Callable[[], None]:
    """A ``preexec_fn`` after which the child cannot grow any file (EFBIG, as ENOSPC would refuse)."""
    write_real_store(data_dir / STATE_FILE, rows=1)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    return limit


def repair_data_dir(data_dir: Path) -> None:
    """Undo `data_dir_is_a_file`: the file goes, a folder takes its place."""
    data_dir.unlink()
    data_dir.mkdir()


def files_in(folder: Path, pattern: str = "*") -> list[str]:
    return sorted(path.name for path in folder.glob(pattern))
