"""`python -m bot` runs the Discord bot; `python -m bot <command> ...` runs the CLI."""

from __future__ import annotations

import sys


def main() -> int:
    if len(sys.argv) > 1:
        from bot.cli.main import main as cli_main

        return cli_main(sys.argv[1:], own_process=True)
    from bot.launcher import run_bot

    return run_bot()


if __name__ == "__main__":
    sys.exit(main())
