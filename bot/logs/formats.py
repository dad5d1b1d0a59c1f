"""The formats Aphrodite has written its log in: the one table that framing, parse and candidates derive from.

A header line either starts with a timestamp (`TIMESTAMP`, then an optional fraction such as
logging's default ``,195``) or is a JSON object with a level or a message key. After the
timestamp, each format has its own shape up to and including the level (`LogFormat.level_part`)
and then the rest of the line (`LogFormat.rest`). The format is decided per line, in the table's
order: the first whose shape fits. A timestamped line that fits none is still a header, of
level UNKNOWN.

The three-field format comes before the four-field one because its first field is a level
name: ``2025-06-09 15:40:27 - ERROR - FAILED: scan - Simulated error`` is an ERROR, not an entry
of a logger named "ERROR" at level "FAILED". A four-field line whose logger is named like a level
would be read as three-field; Python loggers are module names, so no log has one.

Each format's sample, as Python's logging writes it, is ``tests/logs/formats/<name>.log``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every digit of a timestamp as 0 (framing.py compares shapes without a regular expression).
TIMESTAMP_SHAPES = frozenset((b"0000-00-00 00:00:00", b"0000-00-00T00:00:00"))
# The same shapes as a regular expression.
TIMESTAMP = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d"
# What may follow the seconds: logging's default asctime writes milliseconds after a comma.
FRACTION = r"[,.]\d+"
# The level names logging writes (and their aliases), for a format whose level field alone tells it.
_LEVEL_NAMES = r"(?i:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)"


@dataclass(frozen=True)
class LogFormat:
    """One header shape. ``level_field``: the characters right before and after the level's name
    (what candidates.py finds in C); ``level_part``: after the timestamp and its fraction, the
    pattern up to and including the group ``level`` (None: a JSON object, see `JSON_LEVEL_KEYS`);
    ``rest``: the pattern of the rest of the line, with the group ``message``."""

    name: str
    example: str
    level_field: tuple[bytes, bytes]
    level_part: str | None
    rest: str = r"(?P<message>.*)"


FORMATS = (
    LogFormat(
        name="aphrodite",  # today's: %(asctime)s [%(levelname)s] %(name)s:%(lineno)d: %(message)s
        example="2026-11-28 22:59:00 [ERROR] app.services.tmdb:88: TMDB lookup failed",
        level_field=(b"[", b"]"),
        level_part=r" \[(?P<level>[A-Za-z]+)\]",
        rest=r" ?(?:(?P<logger>\S+?):(?P<lineno>\d+): )?(?P<message>.*)",
    ),
    LogFormat(
        name="minimal",  # aphrodite_helpers/minimal_logger.py: %(asctime)s - %(levelname)s - %(message)s
        example="2025-06-09 15:40:27 - ERROR - FAILED: Test failed operation - Simulated error",
        level_field=(b" ", b" "),
        level_part=rf" - (?P<level>{_LEVEL_NAMES}) - ",
    ),
    LogFormat(
        name="legacy",  # older installs: %(asctime)s - %(name)s - %(levelname)s - %(message)s
        example="2025-06-06 18:52:46,195 - app.api.check - ERROR - TMDB lookup failed",
        level_field=(b" ", b" "),
        level_part=r" - (?P<logger>\S+) - (?P<level>[A-Za-z]+) - ",
    ),
    LogFormat(
        name="json",
        example='{"timestamp": "2026-11-28T22:59:00", "level": "ERROR", "message": "TMDB lookup failed"}',
        level_field=(b'"', b'"'),
        level_part=None,
    ),
)

TIMESTAMPED = tuple(f for f in FORMATS if f.level_part is not None)
# A JSON header's keys, first found first used; a JSON object with none of these is no header.
JSON_LEVEL_KEYS = ("level", "levelname")
JSON_MESSAGE_KEYS = ("message", "msg")
JSON_TIME_KEYS = ("timestamp", "time", "asctime")
JSON_LOGGER_KEYS = ("logger", "name")
JSON_LINE_KEYS = ("lineno", "line")
# The characters that may stand right before and right after a level's name, in any format.
BEFORE_LEVEL = bytes(sorted({f.level_field[0][0] for f in FORMATS}))
AFTER_LEVEL = bytes(sorted({f.level_field[1][0] for f in FORMATS}))
