"""The restore lexer's state and bookkeeping: its modes, and how scanned bytes are accounted for.

The scanner is one state machine split by concern: this base holds the state every step shares;
lexer_tokens.py reads quotes, dollar quotes and comments; lexer_framing.py ends statements, frames
COPY data and collects psql meta-commands; lexer.py reads SQL between tokens and drives the loop.
"""

from __future__ import annotations

import re

from bot.backups.restore.events import DumpRefused, Event
from bot.backups.restore.statement import RoutineBody, StatementHead

# Modes of the scanner.
SQL, QUOTE, ESCAPE_QUOTE, BITS_QUOTE, IDENT_QUOTE, DOLLAR_QUOTE = range(6)
LINE_COMMENT, BLOCK_COMMENT, META, AFTER_COPY, COPY_DATA = range(6, 11)
# What the last SQL byte belonged to, for the meaning of a following `$` or quote.
NOTHING, WORD, NUMBER, WORD_ENDED = range(4)
# The longest statement (COPY data aside, which streams) replayed: pg_dump's longest are routine
# bodies and view definitions, far below this; a bigger one is refused before it is held in memory.
STATEMENT_LIMIT = 32 * 1024 * 1024


def match_end(pattern: re.Pattern[bytes], data: bytes, position: int) -> int:
    """Where ``pattern``, which the byte at ``position`` is known to start, stops matching."""
    match = pattern.match(data, position)
    assert match is not None, "the caller checked the first byte"
    return match.end()


class ScannerState:
    """What the scanner knows between bytes and chunks, and the accounting every step uses."""

    def __init__(self, *, keep_text: bool) -> None:
        self.keep_text = keep_text
        self.line = 1
        self.standard_strings = True
        self._mode = SQL
        self._carry = b""
        self._need_more = False
        self._events: list[Event] = []
        self._depth = 0
        self._dollar_end = b""
        self._dollar_start = 0
        self._word = NOTHING
        self._word_text = b""
        self._word_length = 0
        self._copy_line_start = True
        self._reset_statement()
        self._comment: list[bytes] = []
        self._comment_at_line_start = False
        self._last_comment = ""
        self._line_start = True
        self._meta: list[bytes] = []
        self._meta_line = 0
        self._meta_inside = False
        self._meta_routine_line = 0

    @property
    def in_copy_data(self) -> bool:
        """Whether the bytes read last ended inside a COPY block's data."""
        return self._mode in (AFTER_COPY, COPY_DATA)

    def _reset_statement(self) -> None:
        self._started = False
        self._start_line = 0
        self._size = 0
        self._head = StatementHead()
        self._text: list[bytes] = []
        self._dollar_quotes: list[tuple[int, int]] = []
        self._paren_depth = 0
        self._routine = RoutineBody()

    def _wait(self, position: int) -> int:
        """Stop here and read on once the next chunk arrived (never called on the final data)."""
        self._need_more = True
        return position

    def _consume(self, data: bytes, start: int, stop: int) -> None:
        """Account for data[start:stop] as part of the current statement."""
        if stop <= start:
            return
        piece = data[start:stop]
        self._account(piece)
        self._head.add(piece)

    def _account(self, piece: bytes) -> None:
        """The lines, size and kept text of a piece of the current statement (its head aside)."""
        self.line += piece.count(b"\n")
        self._line_start = piece.endswith(b"\n")
        self._count(len(piece))
        if self.keep_text:
            self._text.append(piece)

    def _space(self, data: bytes, start: int, stop: int) -> None:
        """Whitespace or a comment: one space in the head; kept in the text inside a statement."""
        piece = data[start:stop]
        self.line += piece.count(b"\n")
        self._line_start = piece.endswith(b"\n") if piece else self._line_start
        if self._started:
            self._count(len(piece))
            if self.keep_text:
                self._text.append(piece)
            self._head.space_pending = True

    def _count(self, size: int) -> None:
        self._size += size
        if self._size > STATEMENT_LIMIT:
            raise DumpRefused(
                self._start_line or self.line,
                f"a statement longer than {STATEMENT_LIMIT >> 20} MiB (pg_dump writes none that long)",
            )

    def _begin_token(self) -> None:
        if not self._started:
            self._started = True
            self._start_line = self.line
            self._head.space_pending = False
