"""Splits a plain-SQL dump into statements, COPY data and psql meta-command lines, as a stream.

The rules are PostgreSQL's own lexer's (and so psql's): single-quoted strings (escape strings
`E'...'`, and every string when `standard_conforming_strings` is off, take backslash escapes),
double-quoted identifiers, dollar quotes `$tag$...$tag$` (a `$` inside an identifier starts
none), `--` and nested `/* */` comments, and a backslash anywhere else starting a psql
meta-command that runs to the end of its line. A `;` ends a statement where psql would end it:
outside parentheses and outside the BEGIN ... END of a SQL-standard routine body (pg_dump writes
`CREATE FUNCTION ... BEGIN ATOMIC ...; END;`). After a `COPY ... FROM stdin` statement, the
following lines are data up to a line that is exactly `\\.`.

Not modelled, because pg_dump never writes them: string continuation across a newline
(`E'a'` newline `'b'` keeps escape rules) and numbers glued to a following dollar quote. The
restore sends each statement alone, so a file the lexer splits differently from the server fails
there, and that rolls back; nothing in this lexer decides what runs on this host.

Linear and bounded: each byte is looked at a constant number of times; between chunks only a
few bytes of an undecided token are carried over (never a whole line), and a statement's text is
kept only when the caller asks (`keep_text`), as a list of slices joined once. COPY data is
handed out in pieces no larger than a chunk, however long its rows are.
"""

from __future__ import annotations

import re

from bot.backups.restore.events import CopyData, CopyEnd, DumpRefused, Event, MetaCommand, Statement
from bot.backups.restore.statement import RoutineBody, StatementHead

_META_LIMIT = 1024
_COMMENT_LIMIT = 256
_CARRY_LIMIT = 64 * 1024

_SPACE = b" \t\r\n\f"
_IDENT_CONT = re.compile(rb"[A-Za-z0-9_$\x80-\xff]+")
_DIGITS = re.compile(rb"[0-9]+")
_PLAIN = re.compile(rb"[^A-Za-z0-9_\x80-\xff'\"$;\\\-/ \t\r\n\f]+")
_SPACES = re.compile(rb"[ \t\r\n\f]+")
_DOLLAR = re.compile(rb"\$(?:(?P<tag>[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$|[0-9]+)")
_DOLLAR_PREFIX = re.compile(rb"\$[A-Za-z0-9_\x80-\xff]*")
_ESCAPE_STOP = re.compile(rb"['\\]")
_BLOCK_STOP = re.compile(rb"/\*|\*/")
_COPY_FROM_STDIN = re.compile(r"^COPY\b.*\bFROM STDIN\b", re.IGNORECASE | re.DOTALL)
_SCS = re.compile(
    r"^(?:SET (?:SESSION |LOCAL )?standard_conforming_strings(?: TO |\s*=\s*)'?(?P<value>\w+)'?"
    r"|RESET (?P<reset>standard_conforming_strings))\s*;$",
    re.IGNORECASE,
)
_COPY_END = b"\n\\.\n"


# Modes of the scanner.
_SQL, _QUOTE, _ESCAPE_QUOTE, _BITS_QUOTE, _IDENT_QUOTE, _DOLLAR_QUOTE = range(6)
_LINE_COMMENT, _BLOCK_COMMENT, _META, _AFTER_COPY, _COPY_DATA = range(6, 11)
_QUOTE_END = {_QUOTE: b"'", _BITS_QUOTE: b"'", _IDENT_QUOTE: b'"', _ESCAPE_QUOTE: b"'"}
_MODE_NAMES = {
    _QUOTE: "a quoted string",
    _ESCAPE_QUOTE: "a quoted string",
    _BITS_QUOTE: "a quoted string",
    _IDENT_QUOTE: "a quoted identifier",
    _DOLLAR_QUOTE: "a dollar-quoted string",
    _BLOCK_COMMENT: "a /* comment */",
    _AFTER_COPY: "COPY data (no \\. line ends it)",
    _COPY_DATA: "COPY data (no \\. line ends it)",
}
# What the last SQL byte belonged to, for the meaning of a following `$` or quote.
_NOTHING, _WORD, _NUMBER, _WORD_ENDED = range(4)
_WORD_KEPT = 10  # bytes of a word kept: enough for every keyword the scanner looks at


def _match_end(pattern: re.Pattern[bytes], data: bytes, position: int) -> int:
    """Where ``pattern``, which the byte at ``position`` is known to start, stops matching."""
    match = pattern.match(data, position)
    assert match is not None, "the caller checked the first byte"
    return match.end()


class SqlScanner:
    """Feed chunks in order, then call finish(); each call returns the events completed so far."""

    def __init__(self, *, keep_text: bool) -> None:
        self.keep_text = keep_text
        self.line = 1
        self.standard_strings = True
        self._mode = _SQL
        self._carry = b""
        self._need_more = False
        self._events: list[Event] = []
        self._depth = 0
        self._dollar_end = b""
        self._word = _NOTHING
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

    def _reset_statement(self) -> None:
        self._started = False
        self._start_line = 0
        self._head = StatementHead()
        self._text: list[bytes] = []
        self._paren_depth = 0
        self._routine = RoutineBody()

    def feed(self, chunk: bytes) -> list[Event]:
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        self._scan(data, final=False)
        return self._take_events()

    def finish(self) -> list[Event]:
        """The last events; DumpRefused if the SQL ends inside a statement, string or COPY data."""
        data, self._carry = self._carry, b""
        self._scan(data, final=True)
        if self._mode == _META:
            self._end_meta()
        if self._mode in _MODE_NAMES:
            raise DumpRefused(self.line, f"the file ends inside {_MODE_NAMES[self._mode]}")
        if self._started:
            raise DumpRefused(self._start_line, "the file ends with a statement that has no semicolon")
        return self._take_events()

    def _take_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    # -- the scanning loop -------------------------------------------------------------------

    def _scan(self, data: bytes, *, final: bool) -> None:
        position, end = 0, len(data)
        while position < end:
            position = _STEPS[self._mode](self, data, position, final)
            if self._need_more:  # undecided until more data arrives: carry the rest
                self._need_more = False
                if end - position > _CARRY_LIMIT:
                    raise DumpRefused(self.line, "a token too long to read")
                self._carry = data[position:]
                return

    def _wait(self, position: int) -> int:
        """Stop here and read on once the next chunk arrived (never called on the final data)."""
        self._need_more = True
        return position

    def _consume(self, data: bytes, start: int, stop: int) -> None:
        """Account for data[start:stop] as part of the current statement."""
        if stop <= start:
            return
        piece = data[start:stop]
        self.line += piece.count(b"\n")
        self._line_start = piece.endswith(b"\n")
        if self.keep_text:
            self._text.append(piece)
        self._head.add(piece)

    def _space(self, data: bytes, start: int, stop: int) -> None:
        """Whitespace or a comment: one space in the head; kept in the text inside a statement."""
        piece = data[start:stop]
        self.line += piece.count(b"\n")
        self._line_start = piece.endswith(b"\n") if piece else self._line_start
        if self._started:
            if self.keep_text:
                self._text.append(piece)
            self._head.space_pending = True

    def _begin_token(self) -> None:
        if not self._started:
            self._started = True
            self._start_line = self.line
            self._head.space_pending = False

    # -- SQL between tokens ------------------------------------------------------------------

    def _step_sql(self, data: bytes, position: int, final: bool) -> int:
        if self._word == _WORD:
            if match := _IDENT_CONT.match(data, position):
                return self._word_piece(data, position, match.end())
            self._end_word()
        byte = data[position]
        if byte in _SPACE:
            stop = _match_end(_SPACES, data, position)
            self._space(data, position, stop)
            self._word = _NOTHING
            return stop
        if 0x30 <= byte <= 0x39:
            self._begin_token()
            stop = _match_end(_DIGITS, data, position)
            self._consume(data, position, stop)
            self._word = _NUMBER
            return stop
        if byte == 0x27:  # '
            return self._open_quote(data, position)
        if byte == 0x22:  # "
            self._begin_token()
            self._consume(data, position, position + 1)
            self._mode, self._word = _IDENT_QUOTE, _NOTHING
            return position + 1
        if byte == 0x24:  # $
            return self._dollar(data, position, final)
        if byte == 0x3B:  # ;
            self._consume(data, position, position + 1)
            if self._paren_depth == 0 and self._routine.depth == 0:  # as psql decides
                self._end_statement()
            self._word = _NOTHING
            return position + 1
        if byte == 0x5C:  # backslash: a psql meta-command
            self._meta_line, self._meta_inside = self.line, self._started
            self._meta = []
            self._mode, self._word = _META, _NOTHING
            return position
        if byte in b"-/":
            pair = data[position : position + 2]
            if len(pair) < 2 and not final:
                return self._wait(position)
            if pair in (b"--", b"/*"):
                self._comment = []
                self._comment_at_line_start = self._line_start and not self._started
                self._mode = _LINE_COMMENT if pair == b"--" else _BLOCK_COMMENT
                self._depth = 1
                self._space(data, position, position + 2)
                self._word = _NOTHING
                return position + 2
            self._begin_token()
            self._consume(data, position, position + 1)
            self._word = _NOTHING
            return position + 1
        if byte >= 0x80 or byte == 0x5F or 0x41 <= (byte & 0xDF) <= 0x5A:
            self._begin_token()
            self._word, self._word_text, self._word_length = _WORD, b"", 0
            return self._word_piece(data, position, _match_end(_IDENT_CONT, data, position))
        self._begin_token()
        stop = _match_end(_PLAIN, data, position)
        self._consume(data, position, stop)
        for byte in data[position:stop]:
            if byte == 0x28:  # (
                self._paren_depth += 1
            elif byte == 0x29 and self._paren_depth > 0:  # )
                self._paren_depth -= 1
        self._word = _NOTHING
        return stop

    def _word_piece(self, data: bytes, position: int, stop: int) -> int:
        """Part of an identifier or keyword (it may continue in the next chunk)."""
        if len(self._word_text) < _WORD_KEPT:
            self._word_text += data[position : min(stop, position + _WORD_KEPT)]
        self._word_length += stop - position
        self._consume(data, position, stop)
        return stop

    def _end_word(self) -> None:
        """A whole identifier or keyword: what a following quote means, and psql's BEGIN/END count."""
        self._word = _WORD_ENDED
        word = self._word_text.lower() if self._word_length <= _WORD_KEPT else b""
        self._routine.word(word, in_parentheses=self._paren_depth > 0)

    def _open_quote(self, data: bytes, position: int) -> int:
        """A string's opening quote; a word just before it may make it an E'' or a B''/X'' string."""
        prefix = self._word_text if self._word == _WORD_ENDED and self._word_length == 1 else b""
        self._begin_token()
        if prefix in (b"E", b"e"):
            self._mode = _ESCAPE_QUOTE
        elif prefix in (b"B", b"b", b"X", b"x"):
            self._mode = _BITS_QUOTE
        else:
            self._mode = _QUOTE if self.standard_strings else _ESCAPE_QUOTE
        self._consume(data, position, position + 1)
        self._word = _NOTHING
        return position + 1

    def _dollar(self, data: bytes, position: int, final: bool) -> int:
        """A dollar quote's opening `$tag$`, a parameter `$1`, or a lone `$`."""
        if not final and _match_end(_DOLLAR_PREFIX, data, position) == len(data):
            return self._wait(position)
        self._begin_token()
        self._word = _NOTHING
        match = _DOLLAR.match(data, position)
        if match is None or not match.group(0).endswith(b"$") or len(match.group(0)) < 2:
            stop = match.end() if match else position + 1
            self._consume(data, position, stop)
            return stop
        self._dollar_end = match.group(0)
        self._consume(data, position, match.end())
        self._mode = _DOLLAR_QUOTE
        return match.end()

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
                    last_comment=self._last_comment,
                    copy_from_stdin=copy,
                )
            )
        self._reset_statement()
        self._word = _NOTHING
        if copy:
            self._mode = _AFTER_COPY

    # -- inside tokens -----------------------------------------------------------------------

    def _step_quote(self, data: bytes, position: int, final: bool) -> int:
        quote = _QUOTE_END[self._mode]
        if self._mode == _ESCAPE_QUOTE:
            match = _ESCAPE_STOP.search(data, position)
            found = match.start() if match else -1
        else:
            found = data.find(quote, position)
        if found < 0:
            self._consume(data, position, len(data))
            return len(data)
        if data[found] == 0x5C:  # a backslash escapes the next byte
            if found + 1 == len(data) and not final:
                self._consume(data, position, found)
                return self._wait(found)
            self._consume(data, position, found + 2)
            return found + 2
        if found + 1 == len(data) and not final:  # a doubled quote may follow
            self._consume(data, position, found)
            return self._wait(found)
        if self._mode != _BITS_QUOTE and data[found + 1 : found + 2] == quote:
            self._consume(data, position, found + 2)
            return found + 2
        self._consume(data, position, found + 1)
        self._mode = _SQL
        return found + 1

    def _step_dollar_quote(self, data: bytes, position: int, final: bool) -> int:
        found = data.find(self._dollar_end, position)
        if found < 0:
            keep = len(self._dollar_end) - 1  # the closing tag may start in these bytes
            stop = len(data) if final else max(position, len(data) - keep)
            self._consume(data, position, stop)
            return stop if stop == len(data) else self._wait(stop)
        stop = found + len(self._dollar_end)
        self._consume(data, position, stop)
        self._mode = _SQL
        return stop

    def _step_line_comment(self, data: bytes, position: int, final: bool) -> int:
        found = data.find(b"\n", position)
        stop = len(data) if found < 0 else found
        if self._comment_at_line_start and sum(map(len, self._comment)) < _COMMENT_LIMIT:
            self._comment.append(data[position : min(stop, position + _COMMENT_LIMIT)])
        self._space(data, position, stop)
        if found >= 0:
            comment = b"".join(self._comment)[:_COMMENT_LIMIT].decode("utf-8", "replace").strip()
            if self._comment_at_line_start and comment:
                self._last_comment = comment
            self._mode = _SQL
        return stop

    def _step_block_comment(self, data: bytes, position: int, final: bool) -> int:
        match = _BLOCK_STOP.search(data, position)
        if match is None:
            stop = len(data) - 1 if data.endswith((b"/", b"*")) and not final else len(data)
            self._space(data, position, stop)
            return stop if stop == len(data) else self._wait(stop)
        self._space(data, position, match.end())
        self._depth += 1 if match.group(0) == b"/*" else -1
        if self._depth == 0:
            self._mode = _SQL
        return match.end()

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
        self._events.append(MetaCommand(self._meta_line, text, self._meta_inside))
        self._mode = _SQL

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
        self._mode, self._copy_line_start = _COPY_DATA, True
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
        self._line_start, self._mode = True, _SQL
        return stop


_STEPS = {
    _SQL: SqlScanner._step_sql,
    _QUOTE: SqlScanner._step_quote,
    _ESCAPE_QUOTE: SqlScanner._step_quote,
    _BITS_QUOTE: SqlScanner._step_quote,
    _IDENT_QUOTE: SqlScanner._step_quote,
    _DOLLAR_QUOTE: SqlScanner._step_dollar_quote,
    _LINE_COMMENT: SqlScanner._step_line_comment,
    _BLOCK_COMMENT: SqlScanner._step_block_comment,
    _META: SqlScanner._step_meta,
    _AFTER_COPY: SqlScanner._step_after_copy,
    _COPY_DATA: SqlScanner._step_copy_data,
}
