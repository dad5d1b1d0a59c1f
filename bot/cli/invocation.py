"""How a person runs this CLI again: the words every hint and usage line use."""

from __future__ import annotations

import os
import shlex
import shutil
import sys


def program() -> str:
    """`python -m bot`, or this interpreter's path when `python` on PATH is another one (not the venv's)."""
    on_path = shutil.which("python")
    same = on_path is not None and os.path.abspath(on_path) == os.path.abspath(sys.executable)
    return f"{'python' if same else shlex.quote(sys.executable)} -m bot"


def command(words: str) -> str:
    """The full command line of a CLI command such as ``backup list``."""
    return f"{program()} {words}"
