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

Most of a dump is read a run at a time, not token by token: the words, numbers, spaces and
punctuation of a statement once its first words show it is no routine (_plain_run), and the blank
lines and comment lines between statements (_gap); either does for its run what the token steps
would have done one by one, and leaves to them anything that may go on in the next chunk.

Linear and bounded: each byte is looked at a constant number of times; between chunks only a
few bytes of an undecided token are carried over (never a whole line), and a statement's text is
kept only when the caller asks (`keep_text`), as a list of slices joined once. COPY data is
handed out in pieces no larger than a chunk, however long its rows are.

The state machine is split by concern: lexer_state.py (state and accounting), lexer_tokens.py
(quotes, dollar quotes, comments), lexer_framing.py (statement ends, COPY data, meta-commands);
this module reads SQL between tokens and drives the loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.backups.restore.events import ROUTINE_RUNS_ON, DumpRefused, DumpUnreplayable, Event
from bot.backups.restore.lexer_framing import FramingSteps
from bot.backups.restore.lexer_state import (
    AFTER_COPY,
    BITS_QUOTE,
    BLOCK_COMMENT,
    COPY_DATA,
    DOLLAR_QUOTE,
    ESCAPE_QUOTE,
    IDENT_QUOTE,
    LINE_COMMENT,
    META,
    NOTHING,
    NUMBER,
    QUOTE,
    SQL,
    WORD,
    WORD_ENDED,
    match_end,
)
from bot.backups.restore.lexer_tokens import TokenSteps

_CARRY_LIMIT = 64 * 1024

_SPACE = b" \t\r\n\f"
_IDENT_CONT = re.compile(rb"[A-Za-z0-9_$\x80-\xff]+")
_DIGITS = re.compile(rb"[0-9]+")
_PLAIN = re.compile(rb"[^A-Za-z0-9_\x80-\xff'\"$;\\\-/ \t\r\n\f]+")
_SPACES = re.compile(rb"[ \t\r\n\f]+")
# Words, numbers, spaces and punctuation up to the next byte that may change the mode or end the
# statement (a quote, a `$` outside a word, `;`, a backslash, `--`, `/*`): nothing in such a run
# but its parentheses matters to the lexer, so it is read at once (_plain_run).
_PLAIN_RUN = re.compile(
    rb"(?:[^A-Za-z0-9_\x80-\xff'\"$;\\\-/]++|[A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*+|[0-9]++"
    rb"|-(?=[^-])|/(?=[^*]))++"
)
_BODY_WORD = re.compile(
    rb"(?<![A-Za-z0-9_$\x80-\xff])(?:begin|case|end)(?![A-Za-z0-9_$\x80-\xff])", re.IGNORECASE
)
_WORD_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$" + bytes(range(0x80, 0x100))
_NOT_PARENTHESES = bytes(byte for byte in range(256) if byte not in b"()")

_MODE_NAMES = {
    QUOTE: "a quoted string",
    ESCAPE_QUOTE: "a quoted string",
    BITS_QUOTE: "a quoted string",
    IDENT_QUOTE: "a quoted identifier",
    DOLLAR_QUOTE: "a dollar-quoted string",
    BLOCK_COMMENT: "a /* comment */",
    AFTER_COPY: "COPY data (no \\. line ends it)",
    COPY_DATA: "COPY data (no \\. line ends it)",
}
_WORD_KEPT = 10  # bytes of a word kept: enough for every keyword the scanner looks at


class SqlScanner(TokenSteps, FramingSteps):
    """Feed chunks in order, then call finish(); each call returns the events completed so far."""

    def feed(self, chunk: bytes) -> list[Event]:
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        self._scan(data, final=False)
        return self._take_events()

    def finish(self) -> list[Event]:
        """The last events; DumpRefused if the SQL ends inside a statement, string or COPY data."""
        data, self._carry = self._carry, b""
        self._scan(data, final=True)
        if self._mode == META:
            self._end_meta()
        if self._mode in _MODE_NAMES:
            raise DumpRefused(self.line, f"the file ends inside {_MODE_NAMES[self._mode]}")
        if self._started and self._routine.depth:
            raise DumpUnreplayable(self._start_line, ROUTINE_RUNS_ON)
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

    # -- SQL between tokens ------------------------------------------------------------------

    def _step_sql(self, data: bytes, position: int, final: bool) -> int:
        if self._word == WORD:
            if match := _IDENT_CONT.match(data, position):
                return self._word_piece(data, position, match.end())
            self._end_word()
        if self._routine.known and (stop := self._plain_run(data, position, final)) > position:
            return stop
        if not self._started and (stop := self._gap(data, position)) > position:
            return stop
        byte = data[position]
        if byte in _SPACE:
            stop = match_end(_SPACES, data, position)
            self._space(data, position, stop)
            self._word = NOTHING
            return stop
        if 0x30 <= byte <= 0x39:
            self._begin_token()
            stop = match_end(_DIGITS, data, position)
            self._consume(data, position, stop)
            self._word = NUMBER
            return stop
        if byte == 0x27:  # '
            return self._open_quote(data, position)
        if byte == 0x22:  # "
            self._begin_token()
            self._consume(data, position, position + 1)
            self._mode, self._word = IDENT_QUOTE, NOTHING
            return position + 1
        if byte == 0x24:  # $
            return self._dollar(data, position, final)
        if byte == 0x3B:  # ;
            self._consume(data, position, position + 1)
            self._word = NOTHING
            if self._paren_depth == 0 and self._routine.depth == 0:  # as psql decides
                self._end_statement()
                if self._mode == SQL:
                    return self._gap(data, position + 1)
            return position + 1
        if byte == 0x5C:  # backslash: a psql meta-command
            return self._open_meta(position)
        if byte in b"-/":
            pair = data[position : position + 2]
            if len(pair) < 2 and not final:
                return self._wait(position)
            if pair in (b"--", b"/*"):
                return self._open_comment(data, position, pair)
            self._begin_token()
            self._consume(data, position, position + 1)
            self._word = NOTHING
            return position + 1
        if byte >= 0x80 or byte == 0x5F or 0x41 <= (byte & 0xDF) <= 0x5A:
            self._begin_token()
            self._word, self._word_text, self._word_length = WORD, b"", 0
            stop = self._word_piece(data, position, match_end(_IDENT_CONT, data, position))
            if stop < len(data):  # the word ends here, not in the next chunk
                self._end_word()
            return stop
        self._begin_token()
        stop = match_end(_PLAIN, data, position)
        self._consume(data, position, stop)
        if parentheses := data[position:stop].translate(None, _NOT_PARENTHESES):
            self._count_parentheses(parentheses)
        self._word = NOTHING
        return stop

    def _plain_run(self, data: bytes, position: int, final: bool) -> int:
        """A run of _PLAIN_RUN inside a statement whose first words are known, at once.

        What its tokens would have done one by one is done for the whole: the bytes are accounted
        for, the head gets each run of spaces as one space, the parentheses are counted, and its
        last word is remembered for a quote that may follow (`E'...'`). A word or number at the end
        of the data may go on in the next chunk, so it is left to the token steps.
        """
        match = _PLAIN_RUN.match(data, position)
        if match is None:
            return position
        stop = match.end()
        if not self._routine.outside and (body_word := _BODY_WORD.search(data[position:stop])):
            stop = position + body_word.start()  # a routine's BEGIN, CASE or END: counted one by one
        tail = stop - position - len(data[position:stop].rstrip(_WORD_BYTES))  # its last word or number
        if tail and stop == len(data) and not final:
            stop -= tail
            tail = 0
        if stop == position:
            return position
        run = data[position:stop]
        self._account(run)
        self._head.add_run(run)
        if parentheses := run.translate(None, _NOT_PARENTHESES):
            self._count_parentheses(parentheses)
        word = run[len(run) - tail :].lstrip(b"0123456789") if tail else b""
        if word:
            self._word, self._word_text, self._word_length = WORD_ENDED, word[:_WORD_KEPT], len(word)
        else:
            self._word = NOTHING
        return stop

    def _count_parentheses(self, parentheses: bytes) -> None:
        if b")" not in parentheses:
            self._paren_depth += len(parentheses)
            return
        for byte in parentheses:
            if byte == 0x28:  # (
                self._paren_depth += 1
            elif self._paren_depth > 0:  # )
                self._paren_depth -= 1

    def _word_piece(self, data: bytes, position: int, stop: int) -> int:
        """Part of an identifier or keyword (it may continue in the next chunk)."""
        if len(self._word_text) < _WORD_KEPT:
            self._word_text += data[position : min(stop, position + _WORD_KEPT)]
        self._word_length += stop - position
        self._consume(data, position, stop)
        return stop

    def _end_word(self) -> None:
        """A whole identifier or keyword: what a following quote means, and psql's BEGIN/END count."""
        self._word = WORD_ENDED
        word = self._word_text.lower() if self._word_length <= _WORD_KEPT else b""
        self._routine.word(word, in_parentheses=self._paren_depth > 0)


_Step = Callable[[SqlScanner, bytes, int, bool], int]
_STEPS: dict[int, _Step] = {
    SQL: SqlScanner._step_sql,
    QUOTE: SqlScanner._step_quote,
    ESCAPE_QUOTE: SqlScanner._step_quote,
    BITS_QUOTE: SqlScanner._step_quote,
    IDENT_QUOTE: SqlScanner._step_quote,
    DOLLAR_QUOTE: SqlScanner._step_dollar_quote,
    LINE_COMMENT: SqlScanner._step_line_comment,
    BLOCK_COMMENT: SqlScanner._step_block_comment,
    META: SqlScanner._step_meta,
    AFTER_COPY: SqlScanner._step_after_copy,
    COPY_DATA: SqlScanner._step_copy_data,
}
