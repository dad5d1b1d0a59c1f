"""What the lexer keeps of the statement it is reading: a bounded head, and psql's routine-body depth."""

from __future__ import annotations

import re

# The longest statement head pg_dump can write: a COPY of a table with PostgreSQL's maximum of
# 1600 columns, each an identifier of the maximum 63 bytes, quoted with every byte a doubled
# quote (128 bytes), plus the schema and table names and the words around them. (The longest
# other statement it must read whole, a 16 KiB large-object lowrite in hex, is far below.)
MAX_COLUMNS = 1600
MAX_QUOTED_IDENTIFIER = 2 + 2 * 63
HEAD_LIMIT = MAX_COLUMNS * (MAX_QUOTED_IDENTIFIER + len(", ")) + 2 * MAX_QUOTED_IDENTIFIER + 64
_SPACES = re.compile(rb"[ \t\r\n\f]+")
# psql's heuristic for SQL-standard routine bodies: in CREATE [OR REPLACE] FUNCTION|PROCEDURE,
# BEGIN ... END (and CASE ... END inside it) hold semicolons that do not end the statement.
_ROUTINE_WORDS = (b"create", b"function", b"procedure", b"or", b"replace")
_ROUTINE_OPENINGS = tuple(
    (b"create", *middle, kind) for middle in ((), (b"or", b"replace")) for kind in (b"function", b"procedure")
)


class StatementHead:
    """A statement's first HEAD_LIMIT bytes, each run of spaces and comments inside it as one space."""

    def __init__(self) -> None:
        self.size = 0
        self.space_pending = False
        self._pieces: list[bytes] = []

    def add(self, piece: bytes) -> None:
        if self.space_pending:
            self.space_pending = False
            self.add(b" ")
        room = HEAD_LIMIT - self.size
        if room > 0:
            self._pieces.append(piece[:room])
        self.size += len(piece)

    def add_run(self, run: bytes) -> None:
        """Words, numbers, punctuation and spaces at once, each run of spaces as one space."""
        if self.size > HEAD_LIMIT:
            self.size += len(run)
            return
        collapsed = _SPACES.sub(b" ", run)
        leading, trailing = collapsed.startswith(b" "), collapsed.endswith(b" ")
        core = collapsed[leading : len(collapsed) - trailing]
        self.space_pending = self.space_pending or leading
        if core:
            self.add(core)
        self.space_pending = self.space_pending or trailing

    @property
    def complete(self) -> bool:
        """False when the statement is longer than the head kept of it."""
        return self.size <= HEAD_LIMIT

    def text(self) -> str:
        return b"".join(self._pieces).decode("utf-8", "replace").strip()


class RoutineBody:
    """How deep inside a routine body's BEGIN ... END the statement is, decided as psql decides.

    Fed every whole word of the statement (lower case, or b"" for a long one) outside parentheses
    and in; a `;` ends the statement only where ``depth`` is 0. Once the first words decide it,
    ``known`` is true: then either ``outside`` (no routine: no later word can matter), or it is
    one, and only the words BEGIN, CASE and END can.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.known = False
        self.outside = False
        self._words_seen = 0
        self._first_words = [b"", b"", b"", b""]

    def word(self, word: bytes, *, in_parentheses: bool) -> None:
        if self._words_seen < len(self._first_words):
            if word in _ROUTINE_WORDS:
                self._first_words[self._words_seen] = word
            seen = tuple(self._first_words[: self._words_seen + 1])
            self.outside = not any(
                opening[: len(seen)] == seen[: len(opening)] for opening in _ROUTINE_OPENINGS
            )
            self.known = self.outside or self._in_routine()
        self._words_seen += 1
        if in_parentheses or not self._in_routine():
            return
        if word == b"begin" or (word == b"case" and self.depth):
            self.depth += 1
        elif word == b"end" and self.depth:
            self.depth -= 1

    def _in_routine(self) -> bool:
        first = self._first_words
        return first[0] == b"create" and (
            first[1] in (b"function", b"procedure")
            or (first[1:3] == [b"or", b"replace"] and first[3] in (b"function", b"procedure"))
        )
