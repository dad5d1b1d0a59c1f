"""What a header says (its level, time, logger), and whole entries, in every format of formats.py.

* today:   ``2026-11-28 22:59:00 [ERROR] app.services.tmdb:88: message``
* minimal: ``2025-06-09 15:40:27 - ERROR - message``
* legacy:  ``2026-11-28 22:59:00,195 - app.services.tmdb - ERROR - message``
* JSON:    ``{"timestamp": "...", "level": "ERROR", "message": "..."}``

Which lines are headers is decided in framing.py: a line starting with a timestamp is one even
when the rest fits no format (its level is UNKNOWN). Here: what a header says, the format decided
per line in the table's order. The hot path (`header_level`) works on bytes so scans need not
decode the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.logs.entry import DISPLAY_CONTINUATION_LINES, Level, LogEntry, cut_line
from bot.logs.formats import (
    FRACTION,
    JSON_LEVEL_KEYS,
    JSON_LINE_KEYS,
    JSON_LOGGER_KEYS,
    JSON_MESSAGE_KEYS,
    JSON_TIME_KEYS,
    TIMESTAMP,
    TIMESTAMPED,
)
from bot.logs.framing import json_record, line_at

_LEADER = rf"(?P<ts>{TIMESTAMP})(?P<fraction>{FRACTION})?"
# On bytes: the timestamp, then each format's part up to its level (never the rest of the chunk).
_LEADER_BYTES = re.compile(_LEADER.encode())
_LEVEL_PARTS = tuple(re.compile(f.level_part.encode()) for f in TIMESTAMPED if f.level_part)
_HEADERS = tuple(re.compile(_LEADER + f.level_part + f.rest, re.S) for f in TIMESTAMPED if f.level_part)
_TIMESTAMP_ONLY = re.compile(_LEADER + r"\s?(?P<message>.*)", re.S)

_LEVEL_BYTES = {level.value.encode(): level for level in Level} | {
    b"WARN": Level.WARNING,
    b"FATAL": Level.CRITICAL,
}


@dataclass(frozen=True)
class Header:
    """The parts of a header line."""

    timestamp: datetime | None
    level: Level
    logger: str | None
    source_line: int | None
    message: str


def header_level(data: bytes, pos: int) -> Level | None:
    """The level of the line starting at ``pos`` in ``data``, or None when it is not a header."""
    leader = _LEADER_BYTES.match(data, pos)
    if leader:
        for part in _LEVEL_PARTS:
            match = part.match(data, leader.end())
            if match:
                return _LEVEL_BYTES.get(match["level"].upper(), Level.UNKNOWN)
        return Level.UNKNOWN
    if data.startswith(b"{", pos):
        record = json_record(line_at(data, pos))
        if record is not None:
            return Level.from_name(str(_first(record, JSON_LEVEL_KEYS) or ""))
    return None


def parse_header(line: str) -> Header | None:
    """The parts of a header line, or None when ``line`` is a continuation line."""
    for pattern in _HEADERS:
        match = pattern.match(line)
        if match:
            lineno = match.groupdict().get("lineno")
            return Header(
                timestamp=_timestamp(match["ts"], match["fraction"]),
                level=Level.from_name(match["level"]),
                logger=match.groupdict().get("logger"),
                source_line=int(lineno) if lineno else None,
                message=match["message"],
            )
    match = _TIMESTAMP_ONLY.match(line)
    if match:
        return Header(_timestamp(match["ts"], match["fraction"]), Level.UNKNOWN, None, None, match["message"])
    if line.startswith("{"):
        record = json_record(line.encode())
        if record is not None:
            return _json_header(record)
    return None


def decode_line(raw: bytes) -> str:
    """A line as text: invalid UTF-8 becomes U+FFFD instead of failing."""
    return raw.rstrip(b"\r").decode("utf-8", errors="replace")


def build_entry(shown: bytes, offset: int) -> LogEntry:
    """The entry whose lines are ``shown`` (already redacted: see shown.py), cut for display."""
    lines = shown.split(b"\n")
    if lines[-1] == b"" and len(lines) > 1:
        lines.pop()
    first = decode_line(lines[0])
    header = parse_header(first)
    shown_first, truncated = cut_line(first)
    shown_rest: list[str] = []
    for line in lines[1 : 1 + DISPLAY_CONTINUATION_LINES]:
        shown_line, cut = cut_line(decode_line(line))
        shown_rest.append(shown_line)
        truncated = truncated or cut
    omitted = len(lines) - 1 - DISPLAY_CONTINUATION_LINES
    if omitted > 0:
        shown_rest.append(f"… [{omitted} more lines]")
        truncated = True
    if header is None:
        return LogEntry(None, Level.UNKNOWN, None, None, shown_first, tuple(shown_rest),
                        "\n".join([shown_first, *shown_rest]), offset, truncated)  # fmt: skip
    message, message_cut = cut_line(header.message)
    return LogEntry(
        timestamp=header.timestamp,
        level=header.level,
        logger=header.logger,
        source_line=header.source_line,
        message=message,
        continuation=tuple(shown_rest),
        text="\n".join([shown_first, *shown_rest]),
        offset=offset,
        truncated=truncated or message_cut,
    )


def _json_header(record: dict[str, Any]) -> Header:
    message = next((record[key] for key in JSON_MESSAGE_KEYS if key in record), "")
    logger = _first(record, JSON_LOGGER_KEYS)
    lineno = _first(record, JSON_LINE_KEYS)
    return Header(
        timestamp=_json_timestamp(_first(record, JSON_TIME_KEYS)),
        level=Level.from_name(str(_first(record, JSON_LEVEL_KEYS) or "")),
        logger=str(logger) if logger else None,
        source_line=lineno if isinstance(lineno, int) else None,
        message=message if isinstance(message, str) else json.dumps(message, ensure_ascii=False),
    )


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` with a truthy value in ``record`` (None when none has one)."""
    return next((record[key] for key in keys if record.get(key)), None)


def _timestamp(text: str, fraction: str | None) -> datetime | None:
    try:
        when = datetime.strptime(text.replace("T", " "), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    if fraction:
        digits = fraction[1:7].ljust(6, "0")
        when += timedelta(microseconds=int(digits))
    return when


def _json_timestamp(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
