"""The CLI's one confirmation: the same question, answers and exit status for every command."""

from __future__ import annotations

import asyncio
import sys

from bot.errors import NotConfirmed

__all__ = ["NotConfirmed", "confirm"]


async def confirm(question: str, action: str, *, assume_yes: bool) -> None:
    """Ask ``question`` with ``[y/N]``; raise NotConfirmed unless the answer is y or yes.

    ``assume_yes`` (``--yes``) skips the question. Without a terminal on standard input nobody
    can answer, so the command is refused rather than run or left waiting.
    """
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise NotConfirmed(
            f"refusing to {action} without confirmation: standard input is not a terminal. "
            "Pass --yes to confirm."
        )
    answer = await asyncio.to_thread(_ask, f"{question} [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise NotConfirmed(f"Not confirmed: did not {action}; nothing was changed.")


def _ask(prompt: str) -> str:
    # On standard error, so that standard output holds only the answer (the JSON with --json).
    print(prompt, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):  # end of input: what follows starts on its own line
        print(file=sys.stderr)
    return answer
