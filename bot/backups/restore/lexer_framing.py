"""The restore lexer's framing: where a statement ends, COPY data up to `\\.`, meta-command lines.

A statement's end also decides what follows it: `COPY ... FROM stdin` switches to data lines, and
a `SET standard_conforming_strings` changes how later plain strings treat backslashes. A line
starting with a backslash outside every token is a psql meta-command; it is reported, not run.
"""

from __future__ import annotations

import re

from bot.backups.restore.events import CopyData, CopyEnd, DumpRefused, MetaCommand, Statement
from bot.backups.restore.lexer_state import AFTER_COPY, COPY_DATA, META, NOTHING, SQL, ScannerState

_META_LIMIT = 1024
_COPY_FROM_STDIN = re.compile(r"^COPY\b.*\bFROM STDIN\b", re.IGNORECASE | re.DOTALL)
_SCS = re.compile(
    r"^(?:SET (?:SESSION |LOCAL )?standard_conforming_strings(?: TO |\s*=\s*)'?(?P<value>\w+)'?"
    r"|RESET (?P<reset>standard_conforming_strings))\s*;$",
    re.IGNORECASE,
)
_COPY_END = b"\n\\.\n"


class FramingSteps(ScannerState):
    """Ending statements, framing COPY data and collecting psql meta-command lines."""

    def _end_statement(self) -> None:
        head = self._head.text()
        copy = bool(_COPY_FROM_STDIN.match(head))
        if not copy and (scs := _SCS.match(head)):
            value = (scs["value"] or "on").lower()
            self.standard_strings = scs["reset"] is not None or value in ("on", "true", "yes", "1")
        if self._started:
            self._events.append(
                Statement(
                    line=self._start_line,
                    head=head,
                    head_complete=self._head.complete,
                    text=b"".join(self._text) if self.keep_text else None,
                    dollar_quotes=tuple(self._dollar_quotes),
                    last_comment=self._last_comment,
                    copy_from_stdin=copy,
                )
            )
        self._reset_statement()
        self._word = NOTHING
        if copy:
            self._mode = AFTER_COPY

    def _open_meta(self, position: int) -> int:
        """A backslash outside every token: a psql meta-command runs to the end of its line."""
        self._meta_line, self._meta_inside = self.line, self._started
        self._meta_routine_line = self._start_line if self._started and self._routine.depth else 0
        self._meta = []
        self._mode, self._word = META, NOTHING
        return position

    def _step_meta(self, data: bytes, position: int, final: bool) -> int:
        found = data.find(b"\n", position)
        stop = len(data) if found < 0 else found
        if sum(map(len, self._meta)) < _META_LIMIT:
            self._meta.append(data[position : min(stop, position + _META_LIMIT)])
        self._space(data, position, stop)
        if found >= 0:
            self._end_meta()
        return stop

    def _end_meta(self) -> None:
        text = b"".join(self._meta)[:_META_LIMIT].decode("utf-8", "replace").rstrip()
        self._events.append(MetaCommand(self._meta_line, text, self._meta_inside, self._meta_routine_line))
        self._mode = SQL

    def _step_after_copy(self, data: bytes, position: int, final: bool) -> int:
        stop = position
        while stop < len(data) and data[stop] in b" \t\r":
            stop += 1
        if stop == len(data):
            self._space(data, position, stop)
            return stop
        if data[stop] != 0x0A:
            raise DumpRefused(self.line, "text after a COPY ... FROM stdin statement on the same line")
        self._space(data, position, stop + 1)
        self._mode, self._copy_line_start = COPY_DATA, True
        return stop + 1

    def _step_copy_data(self, data: bytes, position: int, final: bool) -> int:
        if self._copy_line_start and data.startswith(b"\\.\n", position):
            return self._end_copy(position + 3)
        found = data.find(_COPY_END, position)
        if found < 0:
            if len(data) - position <= 3 and not final:  # the end line may start in these bytes
                return self._wait(position)
            stop = len(data) if final else len(data) - 3
            self._copy_piece(data, position, stop)
            return stop
        self._copy_piece(data, position, found + 1)
        return self._end_copy(found + 1 + 3)

    def _copy_piece(self, data: bytes, start: int, stop: int) -> None:
        if stop > start:
            piece = data[start:stop]
            self.line += piece.count(b"\n")
            self._copy_line_start = piece.endswith(b"\n")
            self._events.append(CopyData(piece))

    def _end_copy(self, stop: int) -> int:
        self._events.append(CopyEnd(self.line))
        self.line += 1
        self._line_start, self._mode = True, SQL
        return stop
