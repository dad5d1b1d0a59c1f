"""The log (or its matching entries) as a file to download, redacted, fitted to a size limit.

Streams through a temporary folder, never holding the log in memory:

1. write the matching entries, redacted, to ``aphrodite-logs-YYYYMMDD_HHMMSS.log``;
2. over the limit: gzip it to ``.log.gz``;
3. still over: keep only the newest entries whose gzip fits (cut at an entry, never mid-traceback),
   and say so (``partial``, ``included_from``).

Lines are written as shown (see shown.py): redacted, and cut with a marker past 64 KiB. When the
deadline passes, the file holds what was found so far, and says so.

Without a filter, a log far larger than the limit is not redacted and compressed in full only to
be cut: a sample of its newest MiB tells the compression ratio, and only the part that can fit
is written (step 1 starts there).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.errors import OpsError
from bot.logs.budget import Deadline, OutOfTime
from bot.logs.framing import entry_starts
from bot.logs.parse import decode_line, parse_header
from bot.logs.query import LogQuery
from bot.logs.reader import FORWARD_CHUNK, LogHandle, chunks_backward, chunks_forward, entry_start_at_or_after
from bot.logs.scan import ChunkScanner
from bot.logs.search import covered, matching_entries
from bot.logs.shown import show
from bot.redact import Redactor
from bot.units import human_bytes

FILENAME_STAMP = "%Y%m%d_%H%M%S"
# Aim this far under the limit when cutting, so that one more attempt is rarely needed.
_MARGIN = 0.9
_FIT_ATTEMPTS = 8
_SAMPLE_BYTES = 1024 * 1024
_COPY_CHUNK = 4 * 1024 * 1024


class NothingToExport(OpsError):
    """The log is empty, or nothing matches the filter."""

    exit_code = 3


class ExportTooLarge(OpsError):
    """Not even the newest entry fits within the size limit, compressed."""


@dataclass(frozen=True)
class LogExport:
    """A file ready to attach. ``path`` is temporary: it is removed when the export's context ends."""

    path: Path
    filename: str
    size: int
    compressed: bool
    partial: bool
    included_from: datetime | None
    source_size: int
    query: LogQuery
    stopped_early: bool = False
    searched_bytes: int = 0
    notes: tuple[str, ...] = ()

    @property
    def note(self) -> str | None:
        """What the user must know about the file: the size note, then ``notes`` (keys unknown)."""
        sentences = [s for s in (self._size_note(), *self.notes) if s]
        return "\n".join(sentences) or None

    def _size_note(self) -> str | None:
        """A sentence when the file is not simply the whole (filtered) log."""
        if self.stopped_early:
            return (
                f"Stopped at the time limit: this file holds what was found in the first "
                f"{human_bytes(self.searched_bytes)} searched of {human_bytes(self.source_size)}."
            )
        if self.partial:
            since = f" (from {self.included_from:%Y-%m-%d %H:%M:%S})" if self.included_from else ""
            return (
                f"Only the newest part fits{since}: the log is {human_bytes(self.source_size)}, "
                f"this file {human_bytes(self.size)}{', gzipped' if self.compressed else ''}."
            )
        if self.compressed:
            return f"Gzipped to fit: {human_bytes(self.size)}."
        return None


def export_log(
    handle: LogHandle,
    query: LogQuery,
    redactor: Redactor,
    size_limit: int | None,
    folder: Path,
    now: datetime,
    deadline: Deadline | None = None,
) -> LogExport:
    """Write the export into ``folder``; blocking, run it on a log thread."""
    filename = f"aphrodite-logs-{now.strftime(FILENAME_STAMP)}.log"
    plain = folder / filename
    start = 0
    if size_limit is not None and query.is_everything and handle.size > size_limit:
        start = _window_start(handle, redactor, size_limit)
    written, searched = _write_matching(handle, query, redactor, start, plain, deadline)
    stopped_early = searched < handle.size - start and not handle.shrunk
    if written == 0 and stopped_early:
        raise NothingToExport(
            f"Nothing found before the time limit ({deadline.seconds if deadline else 0:g} s): searched "
            f"{human_bytes(searched)} of {human_bytes(handle.size)}."
        )
    if written == 0:
        what = "nothing matches " + query.describe() if not query.is_everything else "the log is empty"
        raise NothingToExport(f"Nothing to download: {what}.")

    def result(path: Path, compressed: bool, cut: int) -> LogExport:
        partial = start > 0 or cut > 0
        return LogExport(
            path=path,
            filename=path.name,
            size=path.stat().st_size,
            compressed=compressed,
            partial=partial,
            included_from=_first_timestamp(plain, cut) if partial else None,
            source_size=handle.size,
            query=query,
            stopped_early=stopped_early,
            searched_bytes=searched,
        )

    if size_limit is None or written <= size_limit:
        return result(plain, False, 0)
    packed = folder / (filename + ".gz")
    cut = 0
    with LogHandle(plain) as written_file:
        for _ in range(_FIT_ATTEMPTS):
            packed_size = _gzip(written_file, cut, packed, filename, now)
            if packed_size <= size_limit:
                return result(packed, True, cut)
            keep = int((written - cut) * size_limit / packed_size * _MARGIN)
            cut = entry_start_at_or_after(written_file, written - keep)
            if cut >= written:
                break
    raise ExportTooLarge(
        f"Even the newest log entry is larger than {human_bytes(size_limit)} compressed; "
        "use the CLI (`python -m bot logs download`) on the server instead."
    )


def _write_matching(
    handle: LogHandle,
    query: LogQuery,
    redactor: Redactor,
    start: int,
    target: Path,
    deadline: Deadline | None,
) -> tuple[int, int]:
    """Bytes written and bytes of the file searched (less than all of it when the deadline passed)."""
    scanner = None if query.is_everything else ChunkScanner(query, deadline)
    written = searched = 0
    with target.open("wb") as out:
        for raw in chunks_forward(handle, start=start, chunk_size=query.chunk_size(FORWARD_CHUNK)):
            try:
                if deadline is not None:
                    deadline.check()
                if scanner is None:
                    pieces = [show(raw, redactor).chunk.text]
                else:
                    pieces = [shown for _, shown in matching_entries(raw, scanner, redactor)]
            except OutOfTime:
                break
            for text in pieces:
                if not text.endswith(b"\n"):
                    text += b"\n"
                out.write(text)
                written += len(text)
            searched += covered(raw)
    return written, searched


def _window_start(handle: LogHandle, redactor: Redactor, size_limit: int) -> int:
    """Where to start so that the rest, redacted and gzipped, about fits ``size_limit``."""
    newest = next(chunks_backward(handle, chunk_size=_SAMPLE_BYTES), None)
    if newest is None:
        return 0
    sample = show(newest, redactor).chunk.text
    ratio = max(len(zlib.compress(sample, 6)) / max(len(sample), 1), 0.01)
    budget = int(size_limit / ratio * _MARGIN)
    if handle.size <= budget:
        return 0
    # At least the newest entry, even when it alone is too big: the fitting step then says so.
    newest_entry = newest.offset + entry_starts(newest)[-1]
    return min(entry_start_at_or_after(handle, handle.size - budget), newest_entry)


def _gzip(source: LogHandle, start: int, target: Path, inner_name: str, now: datetime) -> int:
    with target.open("wb") as raw, gzip.GzipFile(inner_name, "wb", 6, raw, mtime=int(now.timestamp())) as out:
        for offset in range(start, source.size, _COPY_CHUNK):
            out.write(source.read(offset, min(_COPY_CHUNK, source.size - offset)))
    return target.stat().st_size


def _first_timestamp(plain: Path, offset: int) -> datetime | None:
    with plain.open("rb") as file:
        file.seek(offset)
        header = parse_header(decode_line(file.readline(64 * 1024).rstrip(b"\n")))
    return header.timestamp if header else None
