"""Commands over a broken state store: `error:`/`hint:` (or the JSON error) and exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.process import REPO_ROOT
from tests.support import broken_state

COMMANDS = [
    ("alerts", "status"),
    ("alerts", "history"),
    ("logs", "view"),
    ("logs", "status"),
    ("db", "status"),
]
BREAKS = [
    broken_state.corrupt_bytes,
    broken_state.truncated,
    broken_state.bad_json_row,
    broken_state.data_dir_is_a_file,
    broken_state.folder_instead_of_file,
]


def works_without(break_it: Callable[[Path], Path]) -> list[tuple[str, ...]]:
    """The commands that need no (or another) part of the store: db status uses it for one line only."""
    if break_it is broken_state.bad_json_row:  # only the monitor's engine row is bad
        return [("db", "status"), ("alerts", "history"), ("logs", "view"), ("logs", "status")]
    return [("db", "status")]


def run_cli(
    tmp_path: Path,
    data_dir: Path,
    *argv: str,
    limit: Callable[[], None] | None = None,
    **settings: str,
) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "aphrodite-v2.log"
    log.write_text("2026-12-01 10:00:00 [ERROR] app.main:1: boom\n")
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO_ROOT),
        "DATA_DIR": str(data_dir),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "APHRODITE_LOG_FILE": str(log),
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("break_it", BREAKS, ids=lambda f: f.__name__)
def test_a_broken_store_is_an_error_with_a_hint_or_the_command_works(
    tmp_path: Path, command: tuple[str, ...], break_it: Callable[[Path], Path]
) -> None:
    data_dir = tmp_path / "data"
    path = break_it(data_dir)
    damaged = break_it in (broken_state.corrupt_bytes, broken_state.truncated)
    before = path.read_bytes() if damaged else None

    result = run_cli(tmp_path, data_dir, *command)

    assert_no_traceback(result)
    if result.returncode == 2:
        assert result.stderr.startswith(f"error: The bot's state store {path} cannot be used: ")
        assert "\nhint: " in result.stderr
    else:  # what does not read the broken part works (db status: exit 3, no DATABASE_URL)
        assert command in works_without(break_it) and result.returncode in (0, 3), result.stderr
    if before is not None:
        assert path.read_bytes() == before  # the CLI never moves or rewrites a damaged file


@pytest.mark.parametrize("break_it", BREAKS, ids=lambda f: f.__name__)
def test_with_json_a_broken_store_is_the_error_document(
    tmp_path: Path, break_it: Callable[[Path], Path]
) -> None:
    data_dir = tmp_path / "data"
    break_it(data_dir)

    result = run_cli(tmp_path, data_dir, "alerts", "status", "--json")

    assert_no_traceback(result)
    error = json.loads(result.stdout)["error"]
    assert result.returncode == error["exit_code"] == 2
    assert "state store" in error["message"] and error["hint"]


def test_a_full_disk_is_named_with_what_to_free(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    limit = broken_state.full_disk_limit(data_dir)

    result = run_cli(tmp_path, data_dir, "alerts", "status", limit=limit)

    assert_no_traceback(result)
    assert result.returncode == 2
    assert "is the disk full" in result.stderr and "hint: free space" in result.stderr


def test_a_read_only_store_still_shows_the_status(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = broken_state.read_only_file(data_dir)
    assert run_cli(tmp_path, data_dir, "alerts", "status").returncode == 3  # creates the tables
    with broken_state.immutable(path):
        result = run_cli(tmp_path, data_dir, "alerts", "status")

    assert_no_traceback(result)
    assert result.returncode == 3 and result.stdout.startswith("Monitor off")


def test_db_integrity_runs_and_keeps_its_report_when_the_store_cannot_hold_it(
    aphrodite_db, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    broken_state.data_dir_is_a_file(data_dir)

    result = run_cli(tmp_path, data_dir, "db", "integrity", "--json", DATABASE_URL=aphrodite_db.dsn)

    assert_no_traceback(result)
    report = json.loads(result.stdout)
    assert result.returncode in (0, 1) and report["overall"] in ("ok", "degraded")
    assert "not kept for /db status" in result.stderr
