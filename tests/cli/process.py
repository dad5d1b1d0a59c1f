"""Running `python -m bot ...` as a user does: a fresh process, away from any developer .env."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Finished:
    code: int
    out: str
    err: str


async def python_m_bot(
    *argv: str, environment: dict[str, str], cwd: Path, stdout: int = asyncio.subprocess.PIPE
) -> Finished:
    """Run the CLI in ``cwd`` with only ``environment`` (and PATH unless it sets one)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT), **environment}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *argv,
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None  # communicate() waited for the exit
    return Finished(process.returncode, (out or b"").decode(), err.decode())
