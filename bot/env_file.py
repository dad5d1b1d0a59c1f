"""Which `.env` file the settings come from: `--env-file`, else APHRODITE_OPS_ENV, else the working folder's.

Cron and systemd start the CLI in another folder (`cd /tmp`, `/`): naming the file makes it read
the same settings as the bot, wherever it runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

OPTION = "--env-file"
VARIABLE = "APHRODITE_OPS_ENV"


def split_env_file(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """``--env-file FILE`` (or ``--env-file=FILE``) taken out of ``argv``: (FILE, the rest).

    FILE is ``""`` when the option has no value, which `dotenv_file` refuses.
    """
    rest: list[str] = []
    named: str | None = None
    words = iter(argv)
    for word in words:
        if word == OPTION:
            named = next(words, "")
        elif word.startswith(OPTION + "="):
            named = word.removeprefix(OPTION + "=")
        else:
            rest.append(word)
    return named, rest


def dotenv_file(named: str | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """The `.env` to load: ``named`` (``--env-file``), else $APHRODITE_OPS_ENV, else ``cwd``/.env if any.

    A file named explicitly must exist: silently running without its settings is what cron
    users got before.
    """
    from bot.config import ConfigError  # here: `--help` imports no settings

    source = OPTION
    if named is None and environ.get(VARIABLE, "").strip():
        source, named = VARIABLE, environ[VARIABLE].strip()
    if named is None:
        found = cwd / ".env"
        return found if found.is_file() else None
    if not named:
        raise ConfigError(
            f"{OPTION} needs a file.", hint=f"{OPTION} /path/to/.env (or set {VARIABLE}=/path/to/.env)"
        )
    path = Path(named).expanduser()
    if not path.is_absolute():
        path = cwd / path
    if not path.is_file():
        raise ConfigError(
            f"{source} names {named}, which is not a file (from {cwd}: {path}).",
            hint="give the absolute path of the .env the bot uses (copy .env.example there first)",
        )
    return path
