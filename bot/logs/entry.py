"""What a log entry is once read: its level, its parts, and its text ready to show."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# A line longer than this is cut for display (the export keeps far more, see export.py).
DISPLAY_LINE_CHARS = 2000
# A traceback longer than this keeps its first lines; the rest is counted in a marker line.
DISPLAY_CONTINUATION_LINES = 200
# How a line cut when read ends (see shown.py).
TRUNCATED = re.compile(r" … \[line truncated, [\d,]+ bytes\]$")


def truncation_marker(length: int) -> str:
    return f" … [line truncated, {length:,} bytes]"


ALL = "ALL"
# What a user may filter by: every entry, or the entries of exactly one level.
LEVEL_CHOICES = (ALL, "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Level(enum.Enum):
    """Severity of an entry; UNKNOWN for headers whose level we cannot read."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def from_name(cls, name: str) -> Level:
        """The level a log spells ``name`` (any case; WARN and FATAL are aliases); UNKNOWN otherwise."""
        return _BY_NAME.get(name.strip().upper(), Level.UNKNOWN)


_BY_NAME = {
    **{level.value: level for level in Level if level is not Level.UNKNOWN},
    "WARN": Level.WARNING,
    "FATAL": Level.CRITICAL,
}


@dataclass(frozen=True)
class LogEntry:
    """One entry: a header line and the lines that follow it without a header (a traceback).

    Every text field is already redacted and cut for display: safe to post as is.
    ``timestamp`` is the time as the log wrote it (Aphrodite writes local time without a zone),
    None when the entry has no readable header. ``offset`` is where the entry starts in the file.
    """

    timestamp: datetime | None
    level: Level
    logger: str | None
    source_line: int | None
    message: str
    continuation: tuple[str, ...]
    text: str
    offset: int
    truncated: bool

    @property
    def lines(self) -> list[str]:
        """The entry's lines as shown: header first."""
        return self.text.split("\n")


def cut_line(line: str, limit: int = DISPLAY_LINE_CHARS) -> tuple[str, bool]:
    """``line`` shortened to ``limit`` characters, with a marker counting what was left out.

    A line already cut when read (see shown.py) keeps its marker, which tells its real length.
    """
    if len(line) <= limit:
        return line, False
    marker = TRUNCATED.search(line, len(line) - 64)
    if marker:
        return line[:limit] + marker[0], True
    return f"{line[:limit]} … [{len(line) - limit} more characters]", True


def render_plain(entries: Iterable[LogEntry]) -> str:
    """Entries as plain text, one after another, as the log file shows them (for Copy and the CLI)."""
    return "\n".join(entry.text for entry in entries)
