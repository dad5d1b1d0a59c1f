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


def configure_logging(data_dir: Path, redactor: Redactor, level: int = logging.INFO) -> Path:
    """Install console and file handlers on the root logger; returns the log file's path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir / "aphrodite-ops.log"
    formatter = RedactingFormatter(redactor)
    console = logging.StreamHandler()
    file = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=5 * 1024 * 1024, backupCount=3, encoding="utf-8"
    )
    root = logging.getLogger()
    for handler in (console, file):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("discord").setLevel(logging.INFO)
    return log_file
