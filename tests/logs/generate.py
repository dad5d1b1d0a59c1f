"""Realistic Aphrodite logs for the tests and the benchmark, with the entries they hold as ground truth.

The formats of bot/logs/formats.py:

* ``aphrodite``: ``2026-11-28 22:59:00 [ERROR] app.services.tmdb:88: message`` (today's Aphrodite)
* ``minimal``:   ``2026-11-28 22:59:00 - ERROR - message`` (aphrodite_helpers/minimal_logger.py)
* ``legacy``:    ``2026-11-28 22:59:00,195 - app.services.tmdb - ERROR - message`` (older installs)
* ``json``:      ``{"timestamp": "...", "level": "ERROR", "logger": "...", "message": "..."}``

Error entries carry Python tracebacks (continuation lines without a header) now and then, and a
few lines hold credentials the way real logs leak them (query strings, headers, database URLs).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

FORMATS = ("aphrodite", "minimal", "legacy", "json")
START = datetime(2026, 11, 28, 0, 0, 0)

# Roughly what a busy Aphrodite install writes: mostly INFO, a steady trickle of problems.
_LEVEL_WEIGHTS = {"DEBUG": 12, "INFO": 74, "WARNING": 8, "ERROR": 5, "CRITICAL": 1}

_TITLES = (
    "The Matrix",
    "Amélie",
    "千と千尋の神隠し",
    "Léon: The Professional",
    "Blade Runner 2049",
    "Cowboy Bebop",
    "Shōgun",
    "The Grand Budapest Hotel",
)

_MESSAGES = {
    "DEBUG": (
        ("app.services.tmdb", "TMDB cache hit for tmdb:{id}"),
        ("app.services.jellyfin", "Jellyfin item {id} has {n} images"),
        ("sqlalchemy.engine", "SELECT media_items.id FROM media_items WHERE media_items.jellyfin_id = {id}"),
        ("app.workers.badge_processor", "Badge layout for {title}: {n} badges"),
    ),
    "INFO": (
        ("app.workers.badge_processor", "Processed poster for {title} ({id}) in {ms} ms"),
        ("app.services.jellyfin", "Uploaded poster for item {id} to Jellyfin"),
        ("app.services.omdb", "OMDb ratings for tt{id}: IMDb {rating}"),
        ("app.services.tmdb", "Fetched TMDB details for movie {id}"),
        ("app.core.scheduler", "Schedule 'nightly' started batch job {id} with {n} items"),
        ("uvicorn.access", '172.18.0.1:{n} - "GET /api/v1/jobs/{id} HTTP/1.1" 200'),
        ("app.services.anidb", "AniDB anime {id} served from cache"),
    ),
    "WARNING": (
        ("app.services.mdblist", "MDBList quota low: {n} requests left today"),
        ("app.services.tmdb", "TMDB rate limited (429), retrying in {n} s"),
        ("app.services.omdb", "OMDb has no ratings for tt{id}"),
        (
            "app.workers.badge_processor",
            "Poster for {title} is smaller than 300 px, skipping resolution badge",
        ),
    ),
    "ERROR": (
        ("app.services.tmdb", "TMDB lookup failed for movie {id}: timeout after 10 s"),
        ("app.services.jellyfin", "Jellyfin upload failed for item {id}: 500 Internal Server Error"),
        ("app.workers.badge_processor", "Failed to process poster for {title} ({id})"),
        ("app.core.database", "Database error while saving job {id}"),
        ("app.services.anidb", "AniDB request failed: banned"),
    ),
    "CRITICAL": (
        ("app.core.database", "Connection pool exhausted, {n} requests waiting"),
        ("app.main", "Worker crashed: out of memory while rendering {title}"),
    ),
}

_TRACEBACKS = (
    (
        "Traceback (most recent call last):",
        '  File "/app/app/services/tmdb.py", line 88, in fetch_details',
        "    response = await session.get(url, timeout=10)",
        '  File "/usr/local/lib/python3.11/site-packages/aiohttp/client.py", line 560, in _request',
        "    await resp.start(conn)",
        "asyncio.exceptions.TimeoutError",
    ),
    (
        "Traceback (most recent call last):",
        '  File "/app/app/workers/badge_processor.py", line 214, in process_item',
        "    image = Image.open(poster_path)",
        '  File "/usr/local/lib/python3.11/site-packages/PIL/Image.py", line 3339, in open',
        "    raise UnidentifiedImageError(msg)",
        "PIL.UnidentifiedImageError: cannot identify image file '/app/posters/original/{id}.jpg'",
    ),
    (
        "Traceback (most recent call last):",
        '  File "/app/app/core/database.py", line 57, in save',
        "    await session.commit()",
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection",
    ),
)


@dataclass(frozen=True)
class GeneratedEntry:
    """One entry as written: its level name as the file spells it, and its lines (bytes, no newline)."""

    level: str
    logger: str
    message: str
    lines: tuple[bytes, ...]

    @property
    def text(self) -> str:
        return b"\n".join(self.lines).decode("utf-8", errors="replace")

    def contains(self, needle: str) -> bool:
        """Whether any of its lines holds ``needle`` (ASCII, case-insensitive)."""
        lowered = needle.lower().encode()
        return any(lowered in line.lower() for line in self.lines)


def expected(entries: Iterable[GeneratedEntry], level: object = None, needle: str | None = None) -> list[str]:
    """The texts a query for ``level`` (a Level, None for all) and ``needle`` must find, in order."""
    name = getattr(level, "value", None)
    aliases = {"WARN": "WARNING", "FATAL": "CRITICAL"}
    return [
        e.text
        for e in entries
        if (name is None or aliases.get(e.level, e.level) == name) and (needle is None or e.contains(needle))
    ]


def format_header(fmt: str, when: datetime, level: str, logger: str, message: str, lineno: int = 42) -> str:
    """One header line in format ``fmt``."""
    if fmt == "aphrodite":
        return f"{when:%Y-%m-%d %H:%M:%S} [{level}] {logger}:{lineno}: {message}"
    if fmt == "minimal":
        return f"{when:%Y-%m-%d %H:%M:%S} - {level} - {message}"
    if fmt == "legacy":
        return f"{when:%Y-%m-%d %H:%M:%S},{when.microsecond // 1000:03d} - {logger} - {level} - {message}"
    if fmt == "json":
        record = {"timestamp": when.isoformat(), "level": level, "logger": logger, "message": message}
        return json.dumps(record, ensure_ascii=False)
    raise ValueError(f"unknown format {fmt!r}")


def entry(
    fmt: str,
    when: datetime,
    level: str,
    logger: str,
    message: str,
    continuation: Iterable[str | bytes] = (),
) -> GeneratedEntry:
    """A hand-written entry (tests plant these among generated ones)."""
    header = format_header(fmt, when, level, logger, message).encode()
    extra = tuple(line if isinstance(line, bytes) else line.encode() for line in continuation)
    return GeneratedEntry(level=level, logger=logger, message=message, lines=(header, *extra))


def generate(
    count: int,
    *,
    seed: int = 1,
    formats: tuple[str, ...] = ("aphrodite",),
    start: datetime = START,
    traceback_share: float = 0.3,
) -> Iterator[GeneratedEntry]:
    """``count`` entries in time order; each picks one of ``formats``; some errors carry a traceback."""
    rng = random.Random(seed)
    levels = list(_LEVEL_WEIGHTS)
    weights = list(_LEVEL_WEIGHTS.values())
    when = start
    for _ in range(count):
        when += timedelta(milliseconds=rng.randrange(0, 3000))
        level = rng.choices(levels, weights)[0]
        logger, template = rng.choice(_MESSAGES[level])
        values = {
            "id": rng.randrange(1, 999_999),
            "n": rng.randrange(1, 500),
            "ms": rng.randrange(20, 4000),
            "rating": f"{rng.uniform(1, 10):.1f}",
            "title": rng.choice(_TITLES),
        }
        message = template.format(**values)
        continuation: tuple[str, ...] = ()
        if level in ("ERROR", "CRITICAL") and rng.random() < traceback_share:
            continuation = tuple(line.format(**values) for line in rng.choice(_TRACEBACKS))
        fmt = formats[0] if len(formats) == 1 else rng.choice(formats)
        yield entry(fmt, when, level, logger, message, continuation)


def write_log(path: Path, entries: Iterable[GeneratedEntry], *, mode: str = "wb") -> list[GeneratedEntry]:
    """Write ``entries`` (one line each, newline-terminated) and return them as a list."""
    written = list(entries)
    with path.open(mode) as file:
        for item in written:
            file.write(b"\n".join(item.lines) + b"\n")
    return written


def write_log_of_size(path: Path, size: int, *, seed: int = 1) -> None:
    """Stream generated entries (every format, mostly today's) until the file reaches ``size`` bytes."""
    formats = ("aphrodite",) * 8 + ("minimal", "legacy", "json")
    written = 0
    batch: list[bytes] = []
    with path.open("wb") as file:
        for item in generate(size, seed=seed, formats=formats):
            block = b"\n".join(item.lines) + b"\n"
            batch.append(block)
            written += len(block)
            if len(batch) >= 10_000:
                file.write(b"".join(batch))
                batch.clear()
            if written >= size:
                break
        file.write(b"".join(batch))
