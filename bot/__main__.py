"""`python -m bot` runs the Discord bot; `python -m bot <command> ...` runs the CLI."""

from __future__ import annotations

import sys


def main() -> int:
    from bot.env_file import split_env_file

    env_file, rest = split_env_file(sys.argv[1:])
    if rest:
        from bot.cli.main import main as cli_main

        return cli_main(sys.argv[1:], own_process=True)
    from bot.launcher import run_bot

    return run_bot(env_file)


if __name__ == "__main__":
    sys.exit(main())
