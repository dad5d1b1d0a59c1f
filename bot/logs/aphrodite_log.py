"""`AphroditeLog`: the one object the `/logs` cog and the CLI use; every file scan runs on a log thread.

The search, export and clear modules are imported by the methods that run them, so `logs status`
starts without them (bench/startup_bench.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.logs.budget import Deadline, LogWorkers
from bot.logs.file_status import LogStatus, NoLog, log_status, no_log, open_log
from bot.logs.lines import LineCounter, LineTotal
from bot.logs.reader import LogHandle
from bot.units import human_bytes

if TYPE_CHECKING:
    from bot.logs.clear import ClearResult
    from bot.logs.entry import LogEntry
    from bot.logs.export import LogExport
    from bot.logs.query import LogQuery
    from bot.redact import Redactor
    from bot.state import StateStore

MAX_VIEW_LINES = 1000
# The state-store key of the line totals (lines.py `LineCounter.saved`).
LINE_TOTALS_KEY = "logs.line_totals"
DEFAULT_TIME_BUDGET = 30.0
Result = TypeVar("Result")
LearnSecrets = Callable[[], Awaitable[str | None]]


def stopped_note(seconds: float, searched: int, size: int, direction: str) -> str:
    """What a scan stopped by its deadline tells the user."""
    return (
        f"Stopped after {seconds:g} s (LOG_SEARCH_TIMEOUT_SECONDS): searched {human_bytes(searched)} "
        f"of {human_bytes(size)}, {direction}; showing what was found so far."
    )


@dataclass(frozen=True)
class LogView:
    """The newest matching entries (oldest first, newest last, as in the file) and the file's totals.

    ``total_lines`` is exact when ``total_exact``, else a lower bound (the lines the search read):
    a view never reads the whole file only to count its lines.

    ``matching`` is the number of matching entries in the whole file when the search reached
    its start (fewer matches than asked for), else None (ask `AphroditeLog.count`).
    ``interrupted``: the file was cleared or truncated while it was read; what was read is shown.
    ``notes``: sentences the user must see (the search stopped at its time limit, keys unknown).
    """

    path: Path
    query: LogQuery
    entries: tuple[LogEntry, ...]
    total_lines: int
    total_exact: bool
    size: int
    modified: datetime
    matching: int | None
    scanned_bytes: int
    interrupted: bool
    measured_at: datetime
    stopped_early: bool = False
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> LineTotal:
        return LineTotal(self.total_lines, self.total_exact)

    @property
    def summary(self) -> str:
        """The header line: '1,234 total lines (showing 50 filtered)', '≥ 1,234 total lines' when unknown."""
        return f"{self.total.describe()} total lines (showing {len(self.entries):,} filtered)"


@dataclass(frozen=True)
class LogCount:
    """How many entries of the whole file match, with the file's totals (see LogView for ``notes``).

    ``total_lines`` is None unless already known (see lines.py): a count does not count lines.
    """

    path: Path
    query: LogQuery
    matching: int
    total_lines: int | None
    size: int
    modified: datetime
    interrupted: bool
    measured_at: datetime
    stopped_early: bool = False
    notes: tuple[str, ...] = ()


class AphroditeLog:
    """Aphrodite's log file: status, view, count, export and clear.

    Everything returned is redacted with ``redactor``, the process's one. Before anything is
    read, ``learn_secrets`` (when given) teaches it the keys saved in Aphrodite's database and
    returns a note when it could not. Every view, count and export stops after
    ``time_budget`` seconds, saying so. The Runtime owns one instance for the process's
    lifetime: it remembers line totals (see lines.py), so a status of a growing 1 GiB log counts
    only what was appended, and it owns the log threads (close it). With ``state``, the totals
    are also kept there, so this holds for a one-shot CLI `logs status` too, and a later view
    gives the total a status counted.
    """

    def __init__(
        self,
        path: Path,
        redactor: Redactor,
        work_dir: Path | None = None,
        *,
        learn_secrets: LearnSecrets | None = None,
        time_budget: float = DEFAULT_TIME_BUDGET,
        state: StateStore | None = None,
    ) -> None:
        self.path = path
        self.time_budget = time_budget
        self._redactor = redactor
        self._work_dir = work_dir
        self._learn_secrets = learn_secrets
        self._workers = LogWorkers()
        self._lines = LineCounter()
        self._state = state
        self._saved_totals: object = None
        self._clearing = asyncio.Lock()

    def close(self) -> None:
        """Release the log threads."""
        self._workers.close()

    async def status(self) -> LogStatus | NoLog:
        """Size, lines, last change, rotated files and archives; NoLog when missing or empty."""
        await self._load_totals()
        result = await self._with_log(lambda handle: log_status(handle, self._lines.count(handle)))
        totals = self._lines.saved()
        if self._state is not None and totals and totals != self._saved_totals:
            await self._state.put(LINE_TOTALS_KEY, totals)
            self._saved_totals = totals
        return result

    async def _load_totals(self) -> None:
        """Take up the line totals kept in the state store, once, when there is a log to count."""
        if self._state is None or self._saved_totals is not None:
            return
        if await self._workers.run(lambda: _has_content(self.path)):
            self._saved_totals = await self._state.get(LINE_TOTALS_KEY, [])
            self._lines.restore(self._saved_totals)

    async def view(self, query: LogQuery, lines: int = 50) -> LogView | NoLog:
        """The newest ``lines`` entries matching ``query`` (a traceback counts as one entry)."""
        from bot.logs.query import InvalidQuery
        from bot.logs.search import newest_matching

        if not 1 <= lines <= MAX_VIEW_LINES:
            raise InvalidQuery(f"Lines must be between 1 and {MAX_VIEW_LINES}, got {lines}.")
        notes = await self._secret_notes()
        await self._load_totals()

        def read(handle: LogHandle) -> LogView:
            found = newest_matching(handle, query, self._redactor, lines, Deadline(self.time_budget))
            total = self._view_total(handle, found.lines_seen, found.reached_start)
            return LogView(
                path=self.path,
                query=query,
                entries=found.entries,
                total_lines=total.lines,
                total_exact=total.exact,
                size=handle.size,
                modified=handle.state.modified,
                matching=len(found.entries) if found.reached_start else None,
                scanned_bytes=found.scanned_bytes,
                interrupted=found.interrupted,
                measured_at=datetime.now(UTC),
                stopped_early=found.stopped_early,
                notes=self._with_stop(
                    notes, found.stopped_early, found.scanned_bytes, handle.size, "newest first"
                ),
            )

        return await self._with_log(read)

    async def count(self, query: LogQuery) -> LogCount | NoLog:
        """How many entries of the whole file match ``query`` (reads all of it, within the time budget)."""
        from bot.logs.search import count_matching

        notes = await self._secret_notes()

        def read(handle: LogHandle) -> LogCount:
            counted = count_matching(handle, query, self._redactor, Deadline(self.time_budget))
            stopped, scanned = counted.stopped_early, counted.scanned_bytes
            known = self._lines.known(handle)
            return LogCount(
                path=self.path,
                query=query,
                matching=counted.matching,
                total_lines=known.lines if known is not None and known.exact else None,
                size=handle.size,
                modified=handle.state.modified,
                interrupted=counted.interrupted,
                measured_at=datetime.now(UTC),
                stopped_early=stopped,
                notes=self._with_stop(notes, stopped, scanned, handle.size, "oldest first"),
            )

        return await self._with_log(read)

    @asynccontextmanager
    async def export(self, query: LogQuery, size_limit: int | None = None) -> AsyncIterator[LogExport]:
        """``async with log.export(query, limit) as export:`` a redacted file within ``size_limit`` bytes.

        The file is removed when the block ends. Raises NothingToExport (empty log, no match) and
        ExportTooLarge (not even the newest entry fits).
        """
        import shutil
        import tempfile

        from bot.logs.export import NothingToExport, export_log

        notes = await self._secret_notes()
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="aphrodite-logs-", dir=self._work_dir))
        try:

            def write(handle: LogHandle) -> LogExport:
                now, deadline = datetime.now(UTC), Deadline(self.time_budget)
                return export_log(handle, query, self._redactor, size_limit, folder, now, deadline)

            exported = await self._with_log(write)
            if isinstance(exported, NoLog):
                raise NothingToExport(f"{exported.message} ({self.path})")
            yield replace(exported, notes=notes)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def clear(self, archive: bool = True) -> ClearResult:
        """Archive the content beside the log (unless ``archive`` is False), then truncate it in place."""
        from bot.logs.clear import clear_log

        async with self._clearing:
            return await self._workers.run(lambda: clear_log(self.path, archive, datetime.now(UTC)))

    def _view_total(self, handle: LogHandle, lines_seen: int, reached_start: bool) -> LineTotal:
        """The file's line total as far as known without counting it (see lines.py)."""
        known = self._lines.known(handle)
        if known is not None and known.exact:
            return known
        if reached_start:  # the view read every line
            self._lines.remember(handle, lines_seen)
            return LineTotal(lines_seen, exact=True)
        return LineTotal(max(lines_seen, known.lines if known else 0), exact=False)

    def _with_stop(
        self, notes: tuple[str, ...], stopped: bool, scanned: int, size: int, direction: str
    ) -> tuple[str, ...]:
        """``notes``, led by what the scan did when the time budget stopped it."""
        return (stopped_note(self.time_budget, scanned, size, direction), *notes) if stopped else notes

    async def _secret_notes(self) -> tuple[str, ...]:
        """Teach the redactor the keys saved in Aphrodite's database; a note when that failed."""
        if self._learn_secrets is None:
            return ()
        note = await self._learn_secrets()
        return (note,) if note else ()

    async def _with_log(self, work: Callable[[LogHandle], Result]) -> Result | NoLog:
        def run() -> Result | NoLog:
            handle = open_log(self.path)
            if handle is None:
                return no_log(self.path)
            with handle:
                return work(handle)

        return await self._workers.run(run)


def _has_content(path: Path) -> bool:
    """Whether there is a log to count (a missing or empty one needs no saved totals)."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False
