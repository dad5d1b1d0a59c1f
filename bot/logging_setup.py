"""The bot's own logging: console plus a rotating file in DATA_DIR, secrets masked in both."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from bot.redact import Redactor

LOG_FORMAT = "%(asctime)s [%(levelname)s] %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks secrets in the whole record, traceback included."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__(LOG_FORMAT, "%Y-%m-%d %H:%M:%S")
        self._redact = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


def configure_logging(data_dir: Path, redactor: Redactor, level: int = logging.INFO) -> Path | None:
    """Install console and file handlers on the root logger; returns the log file's path.

    None when DATA_DIR cannot hold the file (DATA_DIR a file, read-only, a full disk): the bot
    still starts, logging to the console, so its monitor can say in Discord what is wrong.
    """
    formatter = RedactingFormatter(redactor)
    root = logging.getLogger()
    console = logging.StreamHandler()
    console.setFormatter(formatter)
    root.addHandler(console)
    root.setLevel(level)
    logging.getLogger("discord").setLevel(logging.INFO)
    log_file = data_dir / "aphrodite-ops.log"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        file = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=5 * 1024 * 1024, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger("aphrodite_ops").warning(
            "the bot's log file %s cannot be written (%s): logging to the console only; "
            "fix DATA_DIR (a writable folder)",
            log_file,
            error.strerror or error,
        )
        return None
    file.setFormatter(formatter)
    root.addHandler(file)
    return log_file
