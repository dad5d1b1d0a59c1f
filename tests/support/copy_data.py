"""The lexer's output with each COPY block's rows as one piece: where a stream was cut does not show."""

from __future__ import annotations

from typing import TypeVar

from bot.backups.restore.events import CopyData

T = TypeVar("T")


def merged_copy_data(items: list[T]) -> list[T | CopyData]:
    """``items`` with every run of CopyData joined into one."""
    merged: list[T | CopyData] = []
    for item in items:
        if isinstance(item, CopyData) and merged and isinstance(merged[-1], CopyData):
            merged[-1] = CopyData(merged[-1].data + item.data)
        else:
            merged.append(item)
    return merged
