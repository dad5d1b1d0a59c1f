"""`python -m bot`: behaviour every command shares (a closed pipe, hints that name the CLI)."""

from __future__ import annotations

import gc
import os
import re
import sys
from pathlib import Path

import pytest

from bot.cli.main import FEATURES, main
from tests.backups.fixtures import write_dump_head
from tests.cli.process import python_m_bot

BROKEN_PIPE = 141


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    backups = tmp_path / "backups"
    backups.mkdir()
    for day in range(1, 29):
        write_dump_head(backups / f"aphrodite_backup_202501{day:02d}_120000.sql.gz", compress=True)
    return {"DATA_DIR": str(tmp_path / "data"), "BACKUP_DIR": str(backups)}


@pytest.mark.parametrize(
    "argv",
    [
        ["backup", "list"],
        ["backup", "list", "--json"],
        ["db", "status"],
        ["check", "all"],
        ["health"],
        ["--help"],
    ],
    ids=" ".join,
)
async def test_a_reader_that_stops_early_gets_no_traceback(
    argv: list[str], environment: dict[str, str], tmp_path: Path
) -> None:
    """`python -m bot backup list | head -1`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        finished = await python_m_bot(*argv, environment=environment, cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)

    assert finished.code == BROKEN_PIPE
    assert "Traceback" not in finished.err and "BrokenPipeError" not in finished.err
    assert "Exception ignored" not in finished.err


async def test_hints_name_this_interpreter_when_python_on_path_is_another(
    environment: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "other-bin"
    elsewhere.mkdir()
    (elsewhere / "python").symlink_to("/bin/true")

    finished = await python_m_bot(
        "backup",
        "delete",
        "aphrodite_backup_20990101_000000.sql",
        "--yes",
        environment={**environment, "PATH": f"{elsewhere}{os.pathsep}/usr/bin:/bin"},
        cwd=tmp_path,
    )

    assert finished.code == 3
    assert f"hint: {sys.executable} -m bot backup list" in finished.err
    assert " /backup" not in finished.err  # no slash command for a terminal user


async def test_hints_say_python_when_it_is_this_interpreter(
    environment: dict[str, str], tmp_path: Path
) -> None:
    bindir = Path(sys.executable).parent
    finished = await python_m_bot(
        "backup",
        "restore",
        "nonsense",
        "--yes",
        environment={**environment, "PATH": f"{bindir}{os.pathsep}/usr/bin:/bin"},
        cwd=tmp_path,
    )

    assert finished.code == 3
    assert "hint: python -m bot backup list" in finished.err


async def test_help_lists_every_command_with_what_it_does(
    environment: dict[str, str], tmp_path: Path
) -> None:
    finished = await python_m_bot("--help", environment=environment, cwd=tmp_path)

    assert finished.code == 0
    for name, feature in FEATURES.items():
        assert re.search(rf"^\s+{name}\s+{re.escape(feature.help)}$", finished.out, re.MULTILINE)


@pytest.mark.parametrize("name", FEATURES)
async def test_each_command_has_its_own_help(name: str, environment: dict[str, str], tmp_path: Path) -> None:
    finished = await python_m_bot(name, "--help", environment=environment, cwd=tmp_path)

    assert finished.code == 0
    assert f"-m bot {name} [-h]" in finished.out.replace("\n", " ")


def test_a_command_run_in_process_leaves_garbage_collection_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only `python -m bot`, which exits after its command, freezes its start-up objects."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    frozen = gc.get_freeze_count()

    assert main(["health"]) == 2  # no heartbeat: the bot is not running

    assert gc.get_freeze_count() == frozen
