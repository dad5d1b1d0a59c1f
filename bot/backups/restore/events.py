"""What the dump lexer finds in a SQL stream, and the refusal it raises (with the line)."""

from __future__ import annotations

from dataclasses import dataclass


class DumpRefused(Exception):
    """The dump holds something a plain pg_dump never writes; ``line`` is where (1-based)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class DumpUnreplayable(DumpRefused):
    """pg_dump may well have written this, but PostgreSQL (through psql or not) cannot replay it as is.

    The one known case: a routine named `begin`, `end` or `case`, which pg_dump writes unquoted,
    makes psql's routine-body rule (which the lexer follows) run the statement past its end.
    """


ROUTINE_RUNS_ON = (
    "this CREATE FUNCTION or PROCEDURE does not end where it should: psql (and this restore) read "
    "BEGIN ... END in a routine as a SQL-standard body, so a routine named begin, end or case (which "
    "pg_dump writes unquoted) runs on into the statements after it. psql cannot restore this dump "
    "either; rename the routine (ALTER FUNCTION ... RENAME TO) and take a new backup"
)


@dataclass(frozen=True, slots=True)
class Statement:
    """A complete SQL statement, from its first token to its semicolon.

    ``head``: its first bytes (statement.HEAD_LIMIT) with comments dropped and spaces
    collapsed (``head_complete`` when that is all of it); ``text``: all of it as written, when the
    scanner keeps text;
    ``last_comment``: the last non-empty `--` comment line before it (pg_dump's entry headers);
    ``dollar_quotes``: where its dollar-quoted strings are in ``text`` (start and end offsets, the
    tags included), when the scanner keeps text.
    """

    line: int
    head: str
    head_complete: bool
    text: bytes | None
    last_comment: str
    copy_from_stdin: bool
    dollar_quotes: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class MetaCommand:
    """A psql backslash command (to the end of its line); ``inside_statement`` if SQL came before.

    ``routine_line``: where the statement it interrupts starts, when that is a routine whose body
    psql's rule would still be reading (0 otherwise).
    """

    line: int
    text: str
    inside_statement: bool
    routine_line: int = 0


@dataclass(frozen=True, slots=True)
class CopyData:
    data: bytes


@dataclass(frozen=True, slots=True)
class CopyEnd:
    line: int


Event = Statement | MetaCommand | CopyData | CopyEnd
