"""Embeds for `/logs`: pages of entries as code blocks, the file's status, download and clear results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import discord

from bot.logs import ClearResult, Level, LogEntry, LogExport, LogQuery, LogStatus, LogView, NoLog, SiblingFile
from bot.status import Status
from bot.units import human_bytes
from cogs.ui import limits
from cogs.ui.embeds import NEUTRAL, STATUS_COLOURS, EmbedSpec, absolute_time, relative_time
from cogs.ui.markup import inert, inline_code

Redact = Callable[[str], str]

# A marker before each header, so the level stands out even without colour (phones show none).
LEVEL_MARKERS = {
    Level.CRITICAL: "‼",
    Level.ERROR: "✖",
    Level.WARNING: "▲",
    Level.INFO: "·",
    Level.DEBUG: "∙",
    Level.UNKNOWN: " ",
}
_SEVERITY = (Level.CRITICAL, Level.ERROR, Level.WARNING)
LANGUAGE = "log"
# Room left in the description for the code block after the header line (title and footer
# are short, so the 6000-character total is never the binding limit).
_DESCRIPTION_ROOM = limits.EMBED_DESCRIPTION - 96
_FENCES = len(f"```{LANGUAGE}\n") + len("\n```")


@dataclass(frozen=True)
class LogPage:
    """One page of `/logs view`: its embed and the entries it shows (newest first), for Copy."""

    spec: EmbedSpec
    entries: tuple[LogEntry, ...]


def entry_block(entry: LogEntry) -> str:
    """An entry as shown in the code block: a level marker on its header, its traceback indented."""
    header, *rest = entry.lines
    return "\n".join([f"{LEVEL_MARKERS[entry.level]} {header}", *(f"  {line}" for line in rest)])


def page_colour(entries: Sequence[LogEntry]) -> discord.Colour:
    """Red when an ERROR or CRITICAL is shown, amber for a WARNING, else neutral."""
    levels = {entry.level for entry in entries}
    if levels & {Level.CRITICAL, Level.ERROR}:
        return STATUS_COLOURS[Status.FAILED]
    if Level.WARNING in levels:
        return STATUS_COLOURS[Status.DEGRADED]
    return NEUTRAL


def _title(query: LogQuery, redact: Redact) -> str:
    # describe() echoes what the user typed: it may hold a secret pasted into the search.
    return f"📜 Aphrodite log — {inert(redact(query.describe()))}"


def _header(view: LogView) -> str:
    header = f"{view.summary} · {human_bytes(view.size)} · modified {relative_time(view.modified)}"
    if view.interrupted:
        header += "\n⚠️ The log was cleared or rotated while it was read: showing what was read."
    for note in view.notes:
        header += f"\n⚠️ {inert(note)}"
    return header


def view_pages(view: LogView, redact: Redact) -> list[LogPage]:
    """`/logs view`: newest entries first, packed into pages whose code block fits an embed."""
    title = _title(view.query, redact)
    header = _header(view)
    footer = f"Newest first · {view.path.name}"  # footers show no markdown
    if not view.entries:
        spec = EmbedSpec(
            title=title,
            description=f"{header}\n\nNo entries match {inert(redact(view.query.describe()))}.",
            footer=footer,
            timestamp=view.measured_at,
        )
        return [LogPage(spec, ())]
    room = _DESCRIPTION_ROOM - len(header) - _FENCES
    pages = []
    for shown in _pack(list(reversed(view.entries)), room):
        text = "\n".join(limits.truncate(entry_block(entry), room) for entry in shown)
        spec = EmbedSpec(
            title=title,
            description=f"{header}\n{limits.code_block(text, room + _FENCES, LANGUAGE)}",
            colour=page_colour(shown),
            footer=footer,
            timestamp=view.measured_at,
        )
        pages.append(LogPage(spec, shown))
    return pages


def _pack(entries: Sequence[LogEntry], room: int) -> list[tuple[LogEntry, ...]]:
    """Whole entries per page, so a traceback never leaves its header (one too long is cut)."""
    pages: list[tuple[LogEntry, ...]] = []
    current: list[LogEntry] = []
    size = 0
    for entry in entries:
        length = min(len(entry_block(entry)), room)
        if current and size + 1 + length > room:
            pages.append(tuple(current))
            current, size = [], 0
        size += length + (1 if current else 0)
        current.append(entry)
    if current:
        pages.append(tuple(current))
    return pages


def no_log_embed(result: NoLog, title: str = "📜 Aphrodite log") -> EmbedSpec:
    """The missing or empty log: the exact message, the path looked at, what lies beside it."""
    spec = EmbedSpec(
        title=title,
        description=f"{result.message}\n{inline_code(str(result.path))}",
        timestamp=result.measured_at,
    )
    _add_siblings(spec, result.rotated, result.archives)
    return spec


def status_embed(status: LogStatus) -> EmbedSpec:
    """`/logs status`: size, lines, last change, rotated files and archives."""
    spec = EmbedSpec(
        title="📜 Aphrodite log — status",
        description=inline_code(str(status.path)),
        timestamp=status.measured_at,
        footer="Rotated at 10 MB into .1 … .5 by Aphrodite",
    )
    spec.add_field("Size", human_bytes(status.size), inline=True)
    spec.add_field("Lines", f"{status.total_lines:,}", inline=True)
    spec.add_field(
        "Last modified", f"{relative_time(status.modified)}\n{absolute_time(status.modified)}", inline=True
    )
    _add_siblings(spec, status.rotated, status.archives)
    return spec


def _add_siblings(spec: EmbedSpec, rotated: Sequence[SiblingFile], archived: Sequence[SiblingFile]) -> None:
    if rotated:
        spec.add_field("Rotated files", _sibling_lines(rotated), inline=False)
    if archived:
        spec.add_field("Archives (made by clear)", _sibling_lines(archived), inline=False)


def _sibling_lines(files: Sequence[SiblingFile]) -> str:
    return "\n".join(
        f"{inline_code(f.path.name)} · {human_bytes(f.size)} · {relative_time(f.modified)}" for f in files
    )


def export_message(export: LogExport, redact: Redact) -> str:
    """The text sent with a download: what it holds and, when cut or gzipped, why."""
    text = f"📎 Aphrodite log ({inert(redact(export.query.describe()))}) · {human_bytes(export.size)}"
    if export.note:
        text += f"\n{inert(export.note)}"
    return limits.truncate(text, limits.CONTENT)


def clear_question(path: Path, archive: bool) -> EmbedSpec:
    """The confirmation asked before clearing."""
    if archive:
        what = "Its content is first archived as gzip beside it (`<log>.YYYYMMDD_HHMMSS.gz`)."
    else:
        what = "⚠️ It is **not** archived first: its content will be lost."
    return EmbedSpec(
        title="🧹 Clear Aphrodite's log?",
        description=f"This empties {inline_code(str(path))} in place; Aphrodite keeps writing to it.\n{what}",
        colour=STATUS_COLOURS[Status.FAILED],
        footer="Only the member who asked can answer · nothing happens after 60 s",
    )


def clear_embed(result: ClearResult) -> EmbedSpec:
    """What clear did: bytes removed and where the archive went."""
    if result.archive:
        archived = (
            f"Archived to {inline_code(str(result.archive.path))} ({human_bytes(result.archive.size)})."
        )
    else:
        archived = "Not archived."
    return EmbedSpec(
        title="🧹 Log cleared",
        description=(
            f"Cleared {human_bytes(result.cleared_bytes)} from {inline_code(str(result.path))}.\n{archived}"
        ),
        colour=STATUS_COLOURS[Status.OK],
        timestamp=result.cleared_at,
    )
