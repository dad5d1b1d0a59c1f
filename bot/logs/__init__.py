"""Aphrodite's log file: view, search, count, download and clear it, safely and without blocking.

Use `AphroditeLog` (one per bot) with a `LogQuery` from `LogQuery.parse(level, search)`. Results
are frozen dataclasses whose text is already redacted; the adapters paginate and render them.
"""

from bot.logs.aphrodite_log import MAX_VIEW_LINES, AphroditeLog, LogCount, LogView
from bot.logs.clear import ClearFailed, ClearResult, LogFileMissing
from bot.logs.entry import Level, LogEntry, render_plain
from bot.logs.export import ExportTooLarge, LogExport, NothingToExport
from bot.logs.query import LEVEL_CHOICES, InvalidQuery, LogQuery
from bot.logs.reader import LogUnreadable
from bot.logs.status import LogStatus, NoLog, SiblingFile

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
