"""The restore lexer inside tokens: quoted strings and identifiers, dollar quotes, comments.

Each step reads from ``position`` and returns where it stopped; a step that cannot decide before
the next chunk arrives waits (see ScannerState._wait), carrying only the undecided bytes.
"""

from __future__ import annotations

import re

from bot.backups.restore.lexer_state import (
    BITS_QUOTE,
    BLOCK_COMMENT,
    DOLLAR_QUOTE,
    ESCAPE_QUOTE,
    IDENT_QUOTE,
    LINE_COMMENT,
    NOTHING,
    QUOTE,
    SQL,
    WORD_ENDED,
    ScannerState,
    match_end,
)

_COMMENT_LIMIT = 256
_DOLLAR = re.compile(rb"\$(?:(?P<tag>[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$|[0-9]+)")
_DOLLAR_PREFIX = re.compile(rb"\$[A-Za-z0-9_\x80-\xff]*")
_ESCAPE_STOP = re.compile(rb"['\\]")
_BLOCK_STOP = re.compile(rb"/\*|\*/")
# What pg_dump writes between two statements: blank lines and whole `--` comment lines.
_GAP = re.compile(rb"(?:[ \t\r\n\f]++|--[^\n]*+\n)++")
_GAP_COMMENT = re.compile(rb"--([^\n]*+)\n")
_QUOTE_END = {QUOTE: b"'", BITS_QUOTE: b"'", IDENT_QUOTE: b'"', ESCAPE_QUOTE: b"'"}


class TokenSteps(ScannerState):
    """Opening and reading strings, identifiers, dollar quotes and comments."""

    def _open_quote(self, data: bytes, position: int) -> int:
        """A string's opening quote; a word just before it may make it an E'' or a B''/X'' string."""
        prefix = self._word_text if self._word == WORD_ENDED and self._word_length == 1 else b""
        self._begin_token()
        if prefix in (b"E", b"e"):
            self._mode = ESCAPE_QUOTE
        elif prefix in (b"B", b"b", b"X", b"x"):
            self._mode = BITS_QUOTE
        else:
            self._mode = QUOTE if self.standard_strings else ESCAPE_QUOTE
        self._consume(data, position, position + 1)
        self._word = NOTHING
        return position + 1

    def _dollar(self, data: bytes, position: int, final: bool) -> int:
        """A dollar quote's opening `$tag$`, a parameter `$1`, or a lone `$`."""
        if not final and match_end(_DOLLAR_PREFIX, data, position) == len(data):
            return self._wait(position)
        self._begin_token()
        self._word = NOTHING
        match = _DOLLAR.match(data, position)
        if match is None or not match.group(0).endswith(b"$") or len(match.group(0)) < 2:
            stop = match.end() if match else position + 1
            self._consume(data, position, stop)
            return stop
        self._dollar_end = match.group(0)
        self._dollar_start = self._size
        self._consume(data, position, match.end())
        self._mode = DOLLAR_QUOTE
        return match.end()

    def _open_comment(self, data: bytes, position: int, pair: bytes) -> int:
        """A `--` or `/*` outside any token: whitespace to the statement, maybe its last comment."""
        self._comment = []
        self._comment_at_line_start = self._line_start and not self._started
        self._mode = LINE_COMMENT if pair == b"--" else BLOCK_COMMENT
        self._depth = 1
        self._space(data, position, position + 2)
        self._word = NOTHING
        return position + 2

    def _gap(self, data: bytes, position: int) -> int:
        """Spaces and whole line comments between statements, at once; where they stop.

        A comment that starts a line is, as one read by _step_line_comment, remembered as the
        last comment above the next statement (pg_dump's `-- Name: ...; Type: ...` header).
        """
        match = _GAP.match(data, position)
        if match is None:
            return position
        stop = match.end()
        line_start = self._line_start
        for comment in _GAP_COMMENT.finditer(data, position, stop):
            start = comment.start()
            if (data[start - 1] == 0x0A if start > position else line_start) and (
                text := comment[1][:_COMMENT_LIMIT].decode("utf-8", "replace").strip()
            ):
                self._last_comment = text
        self.line += data.count(b"\n", position, stop)
        self._line_start = data[stop - 1] == 0x0A
        self._word = NOTHING
        return stop

    def _step_quote(self, data: bytes, position: int, final: bool) -> int:
        quote = _QUOTE_END[self._mode]
        if self._mode == ESCAPE_QUOTE:
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
        if self._mode != BITS_QUOTE and data[found + 1 : found + 2] == quote:
            self._consume(data, position, found + 2)
            return found + 2
        self._consume(data, position, found + 1)
        self._mode = SQL
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
        if self.keep_text:
            self._dollar_quotes.append((self._dollar_start, self._size))
        self._mode = SQL
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
            self._mode = SQL
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
            self._mode = SQL
        return match.end()
