"""The one read of a backup before a restore: a whole pg_dump, and nothing in it that would be refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from bot.backups.dump_file import DumpCheck, check_dump
from bot.backups.restore.events import DumpRefused
from bot.backups.restore.filter import DumpFilter


def inspect_dump(
    path: Path,
    on_chunk: Callable[[int], None] | None = None,
    *,
    file: BinaryIO | None = None,
    foreign_extensions: frozenset[str] = frozenset(),
    installed_extensions: frozenset[str] = frozenset(),
) -> tuple[DumpCheck, DumpRefused | None]:
    """One read of the whole dump: `check_dump`'s proofs, and the first thing the filter would refuse.

    BackupCorrupt (the file is not a whole dump) wins over a refusal, as when the two were
    separate reads. Blocking (call it through ``asyncio.to_thread``); memory stays bounded
    whatever the file holds.
    """
    dump_filter = DumpFilter(
        keep_text=False, foreign_extensions=foreign_extensions, installed_extensions=installed_extensions
    )
    refused: DumpRefused | None = None

    def inspect(chunk: bytes | None) -> None:
        nonlocal refused
        if refused is not None:
            return
        try:
            if chunk is None:
                dump_filter.finish()
            else:
                dump_filter.feed(chunk)
        except DumpRefused as refusal:
            refused = refusal

    check = check_dump(path, on_chunk, inspect, file)
    return check, refused
