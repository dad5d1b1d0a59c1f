"""The dump being replayed, as filter actions, lexed while the server runs the statements before.

Reading, inflating and hashing block, so a thread does them, a chunk ahead (1 MiB of SQL; zlib,
zstd and hashlib let go of the GIL meanwhile). The lexer runs on the event loop's own thread, a
small piece at a time, each piece once a statement was sent and while the server runs it (`run`),
so the lexer's time overlaps the server's. A lexer thread did not achieve that: pure Python holds
the GIL, so when the server's answer arrived the loop waited for the lexer, and the lexer's time
was added to the replay's (on a dump of many small objects, this way takes 7% less time, in
runs paired with the thread's).

A piece is 256 bytes of statements (about one, lexed in well under the time the server takes for
one) or 16 KiB of COPY rows, so the loop is never held for long. Memory stays bounded: one chunk
in hand, one being read, and lexing ahead stops while a few actions wait.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

from bot.backups.dump_file import DumpEnds, DumpReader
from bot.backups.restore.events import CopyData, CopyEnd
from bot.backups.restore.filter import Action, CopyInto, DumpFilter, Execute
from bot.backups.restore.rights import RestoreRights

# Lexing a piece of statements must take less than the server's time for one (longer, and the answer
# waits for the lexer); COPY rows lex ten times faster, and bigger pieces make fewer COPY messages.
STATEMENT_PIECE = 256
COPY_PIECE = 16 * 1024
# Lex ahead only while fewer actions than this wait: enough that the replay rarely waits for the
# lexer, few enough that what was lexed ahead stays small.
ACTIONS_AHEAD = 16

T = TypeVar("T")


class DumpSource:
    """The filter's actions from ``file`` (the vetted descriptor of ``path``), in order.

    ``on_chunk(file_bytes_read, sql_bytes_read)`` is called as each chunk comes to be lexed.
    """

    def __init__(
        self, path: Path, file: BinaryIO, rights: RestoreRights, on_chunk: Callable[[int, int], None]
    ) -> None:
        self.reader = DumpReader(path, file)
        self.ends = DumpEnds()
        self.filter = DumpFilter(
            foreign_extensions=rights.foreign_extensions, installed_extensions=rights.installed_extensions
        )
        self.line = 0
        self._chunks = self._read_chunks()
        self._reading: asyncio.Future[bytes | None] | None = None
        self._chunk = b""
        self._offset = 0
        self._all_read = False
        self._finished = False
        self._pending: deque[Action] = deque()
        self._failure: Exception | None = None
        self._on_chunk = on_chunk

    async def next(self) -> Action | None:
        """The next action, or None once the whole file was read."""
        while not self._pending:
            if self._failure is not None:  # met while lexing ahead: the replay has now reached it
                raise self._failure
            if self._finished:
                return None
            await self._lex_next_piece()
        action = self._pending.popleft()
        if isinstance(action, (Execute, CopyInto)):
            self.line = action.line
        return action

    async def run(self, statement: Awaitable[T]) -> T:
        """Await ``statement`` (a coroutine that sends one), lexing the next piece while the server runs it.

        The piece is lexed by a callback the loop runs as soon as the statement, sent, waits for its
        answer: no task and no extra turn of the loop, so nothing is added to the statement's own time.
        """
        if self._may_lex_now():
            asyncio.get_running_loop().call_soon(self._lex_ahead)
        return await statement

    async def copy_rows(self) -> AsyncIterator[bytes]:
        """The rows of the COPY block just started, in pieces, up to its end line."""
        while not isinstance(action := await self.next(), CopyEnd):
            assert isinstance(action, CopyData), "the lexer ends every COPY block or refuses the file"
            yield action.data

    def abandon(self) -> None:
        """The replay stopped: a chunk still being read is dropped when its thread ends."""
        self._finished = True  # and nothing more is lexed
        if self._reading is not None:
            self._reading.add_done_callback(_retrieve)
            self._reading = None

    def _may_lex_now(self) -> bool:
        """Whether lexing ahead is wanted and possible without waiting for the reading thread."""
        if self._finished or self._failure is not None or len(self._pending) >= ACTIONS_AHEAD:
            return False
        if not self._needs_chunk():
            return True
        return self._reading is not None and self._reading.done() and self._reading.exception() is None

    def _lex_ahead(self) -> None:
        """Lex one piece; what the filter raises waits in ``_failure`` until the replay gets that far."""
        if not self._may_lex_now():  # the replay may have gone on, or stopped, since this was asked
            return
        try:
            if self._needs_chunk():
                assert self._reading is not None
                self._take(self._reading.result())
            self._lex()
        except Exception as error:  # a loop callback must not raise: next() raises it in its place
            self._failure = error

    async def _lex_next_piece(self) -> None:
        if self._needs_chunk():
            if self._reading is None:
                self._read_ahead()
            assert self._reading is not None
            self._take(await self._reading)
        else:
            await asyncio.sleep(0)  # a long statement takes many pieces: others get their turns
        self._lex()

    def _needs_chunk(self) -> bool:
        """Whether the chunk in hand was all lexed and the file has more."""
        return self._offset == len(self._chunk) and not self._all_read

    def _lex(self) -> None:
        """Lex the next piece of the chunk in hand, or end the file once every chunk was lexed."""
        if self._offset < len(self._chunk):
            size = COPY_PIECE if self.filter.in_copy_data else STATEMENT_PIECE
            piece = self._chunk[self._offset : self._offset + size]
            self._offset += len(piece)
            self._pending.extend(self.filter.feed(piece))
        elif self._all_read:
            self._finished = True
            self._pending.extend(self.filter.finish())

    def _take(self, chunk: bytes | None) -> None:
        """The chunk the thread read becomes the one in hand, and the thread reads the next."""
        self._reading = None
        self._chunk, self._offset = chunk or b"", 0
        self._all_read = chunk is None
        self._on_chunk(self.reader.file_bytes, self.reader.sql_bytes)
        if chunk is not None:
            self._read_ahead()

    def _read_ahead(self) -> None:
        self._reading = asyncio.ensure_future(asyncio.to_thread(next, self._chunks, None))

    def _read_chunks(self) -> Iterator[bytes]:
        for chunk in self.reader.chunks():
            self.ends.feed(chunk)
            yield chunk


def _retrieve(reading: asyncio.Future[bytes | None]) -> None:
    """Collect a dropped read's outcome, so no error of it is reported as never retrieved."""
    if not reading.cancelled():
        reading.exception()
