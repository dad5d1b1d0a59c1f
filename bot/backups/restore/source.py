"""The dump being replayed, as filter actions, read one piece ahead of the replay.

Reading, inflating, hashing and lexing block, so each piece is done in a thread. The next piece is
read while the statements of this one run on the server, so the lexer's time overlaps the
server's instead of adding to it. At most one piece is read ahead, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from bot.backups.dump_file import DumpEnds, DumpReader
from bot.backups.restore.events import CopyData, CopyEnd
from bot.backups.restore.filter import Action, CopyInto, DumpFilter, Execute
from bot.backups.restore.rights import RestoreRights

# Small enough that the first statements start soon and the replay rarely waits for the lexer;
# large enough that handing pieces to a thread costs nothing measurable.
PIECE_SIZE = 128 * 1024


class DumpSource:
    """The filter's actions from ``file`` (the vetted descriptor of ``path``), in order."""

    def __init__(
        self, path: Path, file: BinaryIO, rights: RestoreRights, on_piece: Callable[[int, int], None]
    ) -> None:
        self.reader = DumpReader(path, file)
        self.ends = DumpEnds()
        self.filter = DumpFilter(
            foreign_extensions=rights.foreign_extensions, installed_extensions=rights.installed_extensions
        )
        self.line = 0
        self._pieces = self._cut()
        self._pending: deque[Action] = deque()
        self._ahead: asyncio.Future[list[Action]] | None = None
        self._done = False
        self._on_piece = on_piece

    async def next(self) -> Action | None:
        """The next action, or None once the whole file was read."""
        while not self._pending:
            if self._ahead is None:
                if self._done:
                    return None
                self._read_ahead()
            assert self._ahead is not None
            actions = await self._ahead
            self._ahead = None
            if not self._done:
                self._read_ahead()  # while these actions run
            self._pending.extend(actions)
            self._on_piece(self.reader.file_bytes, self.reader.sql_bytes)
        action = self._pending.popleft()
        if isinstance(action, (Execute, CopyInto)):
            self.line = action.line
        return action

    async def copy_rows(self) -> AsyncIterator[bytes]:
        """The rows of the COPY block just started, in pieces, up to its end line."""
        while not isinstance(action := await self.next(), CopyEnd):
            assert isinstance(action, CopyData), "the lexer ends every COPY block or refuses the file"
            yield action.data

    def abandon(self) -> None:
        """The replay stopped: a piece still being read is dropped when its thread ends."""
        if self._ahead is not None:
            self._ahead.add_done_callback(lambda read: read.cancelled() or read.exception())
            self._ahead = None

    def _read_ahead(self) -> None:
        self._ahead = asyncio.ensure_future(asyncio.to_thread(self._read))

    def _read(self) -> list[Action]:
        piece = next(self._pieces, None)
        if piece is None:
            self._done = True
            return self.filter.finish()
        return self.filter.feed(piece)

    def _cut(self) -> Iterator[bytes]:
        for chunk in self.reader.chunks():
            self.ends.feed(chunk)
            for start in range(0, len(chunk), PIECE_SIZE):
                yield chunk[start : start + PIECE_SIZE]
