"""Start-up: each command imports only what it uses (`python -X importtime` names every import)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.cli.process import REPO_ROOT

FEATURE_MODULES = {"bot.cli.checks", "bot.cli.database", "bot.cli.backups", "bot.cli.logs", "bot.cli.alerts"}
NETWORK_LIBRARIES = {"aiohttp", "asyncpg"}


# `python -m bot ARGV`, then the names of every module it imported, written to MODULES_FILE at exit
# (`-X importtime` would miss what importlib.import_module loads).
PROBE = """
import atexit, os, runpy, sys
atexit.register(lambda: open(os.environ["MODULES_FILE"], "w").write("\\n".join(sys.modules)))
sys.argv[0] = "bot"
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""


async def imported_by(*argv: str, tmp_path: Path) -> tuple[int, set[str]]:
    """The exit status of `python -m bot ARGV` and the names of the modules it imported."""
    modules = tmp_path / "modules.txt"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO_ROOT),
        "DATA_DIR": str(tmp_path / "data"),
        "APHRODITE_LOG_FILE": str(tmp_path / "aphrodite-v2.log"),
        "MODULES_FILE": str(modules),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PROBE, *argv, cwd=tmp_path, env=environment, stdout=asyncio.subprocess.DEVNULL
    )
    code = await asyncio.wait_for(process.wait(), timeout=60)
    names = set(modules.read_text().split())
    return code, names | {name.split(".")[0] for name in names}


async def test_help_imports_no_feature_and_no_network_library(tmp_path: Path) -> None:
    code, imported = await imported_by("--help", tmp_path=tmp_path)

    assert code == 0
    assert "bot.cli.main" in imported  # the probe sees the CLI's own imports
    assert not imported & (FEATURE_MODULES | NETWORK_LIBRARIES | {"bot.runtime", "bot.config"})


@pytest.mark.parametrize("action", ["status", "view", "count"])
async def test_reading_the_log_without_a_database_imports_neither_aiohttp_nor_asyncpg(
    action: str, tmp_path: Path
) -> None:
    (tmp_path / "aphrodite-v2.log").write_text("2025-06-06 18:52:46 [INFO] app.main:1: started\n")

    code, imported = await imported_by("logs", action, tmp_path=tmp_path)

    assert code == 0
    assert "bot.cli.logs" in imported
    assert not imported & NETWORK_LIBRARIES
    assert not imported & (FEATURE_MODULES - {"bot.cli.logs"})


async def test_a_command_imports_its_own_feature_only(tmp_path: Path) -> None:
    code, imported = await imported_by("alerts", "history", tmp_path=tmp_path)

    assert code == 0
    assert imported & FEATURE_MODULES == {"bot.cli.alerts"}
