"""Writes the sample logs beside this file with Python's own logging, one per format of bot/logs/formats.py.

Run it once (``.venv/bin/python -m tests.logs.formats.record_samples``) and commit the .log files:
the tests read the files, never this script, so a sample is real output, not what the bot
expects to read. Each logger is configured as the Aphrodite code that wrote that format
configures it (the format string and datefmt are quoted beside each); the failing code runs from
a Windows checkout (``C:\\Users\\admin\\aphrodite``), so the tracebacks carry Windows paths as an
install on Windows writes them. The clock is fixed, so the files come out the same every run.
"""

from __future__ import annotations

import json
import linecache
import logging
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
APP = "C:\\Users\\admin\\aphrodite\\aphrodite_helpers\\badge_processor.py"
LIBRARY = "C:\\Users\\admin\\AppData\\Local\\Programs\\Python\\Python311\\Lib\\site-packages\\PIL\\Image.py"
START = 1749483627.0  # 2025-06-09 15:40:27 UTC

_LIBRARY_SOURCE = """\
class UnidentifiedImageError(OSError):
    pass


def open(fp):
    msg = f"cannot identify image file {fp!r}"
    raise UnidentifiedImageError(msg)
"""

_APP_SOURCE = """\
def apply_badges(image_module, poster):
    image = image_module.open(poster)
    return image


def save_result(job):
    raise KeyError(job)


def process(logger, image_module):
    logger.warning("STARTED: Badge processing for The Matrix")
    try:
        apply_badges(image_module, "C:\\\\Users\\\\admin\\\\aphrodite\\\\posters\\\\original\\\\603.jpg")
    except OSError:
        logger.exception("FAILED: Badge processing for The Matrix - cannot open poster")
    try:
        try:
            save_result("job-42")
        except KeyError as error:
            raise RuntimeError("could not record the ERROR state of job-42") from error
    except RuntimeError:
        logger.critical("Badge queue stopped", exc_info=True)
"""


def _module(name: str, filename: str, source: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """``source`` run as a module at ``filename``, its lines in linecache as a real file's would be."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__name__": name, **(extra or {})}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


class _Clock(logging.Filter):
    """Stamps records with a fixed clock, 1.195 s apart."""

    def __init__(self, start: float = START) -> None:
        super().__init__()
        self.now = start

    def filter(self, record: logging.LogRecord) -> bool:
        self.now += 1.195
        record.created = self.now
        record.msecs = (self.now - int(self.now)) * 1000
        return True


class _JsonFormatter(logging.Formatter):
    """One JSON object a line, the traceback in ``exc_info`` (as python-json-logger writes it)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "timestamp": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "lineno": record.lineno,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(data)


def _write(
    handler: logging.Handler, formatter: logging.Formatter, clock: _Clock, app: dict[str, Any]
) -> None:
    """The events, through ``handler`` alone, as Aphrodite's badge processor logs them."""
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(clock)
    logger = logging.getLogger("app.workers.badge_processor")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    _events(logger, app)
    handler.close()


def _events(logger: logging.Logger, app: dict[str, Any]) -> None:
    """What every sample holds: each level, messages that spell other levels, a multi-line
    message, and two tracebacks (one chained, with its blank line)."""
    logger.debug("Checking cache for movie data")
    logger.info("Application started successfully")
    logger.warning("MILESTONE: Phase 3 modular conversion test started")
    logger.info("Processing item: Movie Title Example")
    logger.warning("Retrying TMDB after ERROR - timeout (attempt 2 of 3)")
    logger.error("Failed to connect to external API: Connection timeout")
    logger.info("Summary of the nightly run:\n  processed: 12\n  failed: 1 (see ERROR above)")
    app["process"](logger, app["image_module"])
    logger.error("Database connection failed: Access denied")
    logger.warning("COMPLETED: Test successful operation")
    logger.critical("System memory usage exceeds 90%")
    logger.info("An INFO entry saying CRITICAL - nothing else")
    logger.error("FAILED: Test failed operation - Simulated error")


def record() -> None:
    image = _module("PIL.Image", LIBRARY, _LIBRARY_SOURCE)
    app = _module("aphrodite_helpers.badge_processor", APP, _APP_SOURCE)
    app["image_module"] = type("Image", (), {"open": staticmethod(image["open"])})
    formats = {
        # today's Aphrodite
        "aphrodite": logging.Formatter(
            "%(asctime)s [%(levelname)s] %(name)s:%(lineno)d: %(message)s", "%Y-%m-%d %H:%M:%S"
        ),
        # aphrodite_helpers/minimal_logger.py
        "minimal": logging.Formatter("%(asctime)s - %(levelname)s - %(message)s", "%Y-%m-%d %H:%M:%S"),
        # older installs (logging's default asctime, with milliseconds)
        "legacy": logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"),
        "json": _JsonFormatter(),
    }
    for name, formatter in formats.items():
        fresh = logging.FileHandler(HERE / f"{name}.log", mode="w", encoding="utf-8")
        _write(fresh, formatter, _Clock(), app)
    # The three-field format with logging's default asctime too (milliseconds), an hour later.
    default_asctime = logging.Formatter("%(asctime)s - %(levelname)s - %(message)s")
    appended = logging.FileHandler(HERE / "minimal.log", mode="a", encoding="utf-8")
    _write(appended, default_asctime, _Clock(START + 3600), app)


if __name__ == "__main__":
    record()
