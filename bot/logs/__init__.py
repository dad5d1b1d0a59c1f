"""Aphrodite's log file: view, search, count, download and clear it, safely and without blocking.

Use `AphroditeLog` (one per bot) with a `LogQuery` from `LogQuery.parse(level, search)`. Results
are frozen dataclasses whose text is already redacted; the adapters paginate and render them.

A search goes through one module per step, each the only owner of its decision:

1. ``reader.py`` reads the file by offset, in chunks of whole entries (``chunk.py``), from either end;
2. ``shown.py`` / ``searchable.py`` make a chunk the text as shown (redacted, long lines cut);
3. ``candidates.py`` finds, in one pass in C, the lines that can matter to the query;
4. ``scan.py`` decides on those lines alone which entries match;
5. ``framing.py`` says where entries start and end (which lines are headers), for all of the above;
6. ``parse.py`` reads what a header says and builds the entries shown.

``search.py`` drives the chunks of a view or a count, ``export.py`` those of a download;
``aphrodite_log.py`` puts them behind one object, with time budgets (``budget.py``) and line
totals (``lines.py``).

The names below are imported when first used, so a command imports only what it runs
(`logs status` never loads the search, the export or the clear).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; `__getattr__` below imports them when used
    from bot.logs.aphrodite_log import MAX_VIEW_LINES, AphroditeLog, LogCount, LogView
    from bot.logs.clear import ClearFailed, ClearResult, LogFileMissing
    from bot.logs.entry import LEVEL_CHOICES, Level, LogEntry, render_plain
    from bot.logs.export import ExportTooLarge, LogExport, NothingToExport
    from bot.logs.file_status import LogStatus, NoLog, SiblingFile
    from bot.logs.query import InvalidQuery, LogQuery
    from bot.logs.reader import LogUnreadable

_HOMES = {
    "bot.logs.aphrodite_log": ("MAX_VIEW_LINES", "AphroditeLog", "LogCount", "LogView"),
    "bot.logs.clear": ("ClearFailed", "ClearResult", "LogFileMissing"),
    "bot.logs.entry": ("LEVEL_CHOICES", "Level", "LogEntry", "render_plain"),
    "bot.logs.export": ("ExportTooLarge", "LogExport", "NothingToExport"),
    "bot.logs.query": ("InvalidQuery", "LogQuery"),
    "bot.logs.reader": ("LogUnreadable",),
    "bot.logs.file_status": ("LogStatus", "NoLog", "SiblingFile"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "LEVEL_CHOICES",
    "MAX_VIEW_LINES",
    "AphroditeLog",
    "ClearFailed",
    "ClearResult",
    "ExportTooLarge",
    "InvalidQuery",
    "Level",
    "LogCount",
    "LogEntry",
    "LogExport",
    "LogFileMissing",
    "LogQuery",
    "LogStatus",
    "LogUnreadable",
    "LogView",
    "NoLog",
    "NothingToExport",
    "SiblingFile",
    "render_plain",
]


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first use (PEP 562)."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
