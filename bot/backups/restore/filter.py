"""Decides, statement by statement, what of a dump is replayed, skipped (and reported) or refused.

Refused, before the database is touched (DumpRefused, with the line): anything pg_dump never
writes and that could act outside the restore's one transaction or outside the database —
psql meta-commands other than pg_dump's own (`\\! cmd`, `\\o |cmd`, `\\copy`, `\\i`, `\\set`, a
`\\connect` elsewhere, a backslash command after SQL on the same line, ...), every transaction
control statement (BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE,
PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED, in any case and spacing, comments anywhere), and
any COPY other than pg_dump's `COPY table (columns) FROM stdin;` (COPY TO/FROM a file or a
program, COPY with options).

Skipped and reported: Aphrodite's web UI dumps with `--create`, so its SQL drops and recreates
the *database* and `\\connect`s to it; those database-level statements cannot run in a
transaction nor while others are connected, so the objects are restored into the database of
DATABASE_URL instead. Statements about an extension the restoring role does not own (a DBA's
`CREATE EXTENSION amcheck`) would fail with "must be owner", so they are skipped too.

Dropped silently: pg_dump's own `\\restrict`/`\\unrestrict` guard lines, its `SET lock_timeout = 0`
and other time limits (the restore keeps its own), its `SET client_encoding` (the SQL is converted
to the connection's UTF-8 as it is read, whatever server encoding the dump was written in:
encoding.py), and the bare `BEGIN;`/`COMMIT;` pg_dump writes around large-object data (the
restore is one transaction).

Every other statement must be of a kind pg_dump writes (allowlist.py), or it is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.backups.restore.allowlist import Verdict, verdict
from bot.backups.restore.alone import one_command_spelling
from bot.backups.restore.encoding import DumpDecoder, canonical
from bot.backups.restore.events import (
    ROUTINE_RUNS_ON,
    CopyData,
    CopyEnd,
    DumpRefused,
    DumpUnreplayable,
    Event,
    MetaCommand,
    Statement,
)
from bot.backups.restore.lexer import SqlScanner

SKIPPED_SAMPLE_LIMIT = 20
# pg_dump writes a few statements per object and the rows as COPY data: a schema of thousands of
# tables stays far below this. Each statement is a round trip with every table locked, so a file
# of a million of them would hold the database for minutes; it is refused when checked instead.
STATEMENT_COUNT_LIMIT = 200_000
_IDENT = r'(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*|"(?:[^"]|"")+")'
_TRANSACTION_CONTROL = re.compile(
    r"^(?P<verb>BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION)\b",
    re.IGNORECASE,
)
_LARGE_OBJECT_WRAPPING = ("BEGIN;", "COMMIT;")
_BLOBS_HEADER = re.compile(r"; Type: BLOBS; ")
_COPY = re.compile(r"^COPY\b", re.IGNORECASE)
_PG_DUMP_COPY = re.compile(
    rf"^COPY (?P<target>{_IDENT}(?:\.{_IDENT})?)(?: \((?P<columns>{_IDENT}(?:, {_IDENT})*)\))? FROM stdin;$"
)
_IDENT_IN_LIST = re.compile(_IDENT)
_DATABASE_STATEMENT = re.compile(rf"^(?:DROP DATABASE (?:IF EXISTS )?|CREATE DATABASE )(?P<name>{_IDENT})")
_PG_DUMP_GUARD = re.compile(r"^\\(?:un)?restrict [A-Za-z0-9]+$")
# pg_dump writes `\\connect name`, or `\\connect -reuse-previous=on "dbname='...'"` for other names.
_CONNECT = re.compile(
    r"^\\(?:connect|c) "
    r"""(?:(?P<plain>[A-Za-z0-9_]+)|-reuse-previous=on "dbname='(?P<quoted>(?:[^'\\]|\\.)*)'")$"""
)
_CLIENT_ENCODING = re.compile(r"^SET client_encoding = '(?P<encoding>[^']*)';$")
_EXTENSION_STATEMENT = re.compile(
    rf"^(?:CREATE EXTENSION (?:IF NOT EXISTS )?|DROP EXTENSION (?:IF EXISTS )?|COMMENT ON EXTENSION "
    rf"|ALTER EXTENSION )(?P<name>{_IDENT})",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Execute:
    """One SQL statement to run: ``sql`` as written in the dump.

    ``one_command``: the same statement spelled with one semicolon, its last character (alone.py),
    sent as one simple query; None when it has no such spelling.
    """

    line: int
    sql: str
    one_command: str | None


@dataclass(frozen=True, slots=True)
class CopyInto:
    """Start of a COPY block: its rows follow as CopyData, then CopyEnd."""

    line: int
    schema: str | None
    table: str
    columns: tuple[str, ...]


Action = Execute | CopyInto | CopyData | CopyEnd


def _statements_about(name: str) -> re.Pattern[str]:
    """Statements pg_dump --create writes about the database ``name`` itself."""
    db = re.escape(name)
    return re.compile(
        r"^(?:"
        r"DROP DATABASE (?:IF EXISTS )?" + db + r";"
        r"|CREATE DATABASE " + db + r"[ ;]"
        r"|ALTER DATABASE " + db + r" "
        r"|COMMENT ON DATABASE " + db + r" IS "
        r"|SECURITY LABEL FOR \S+ ON DATABASE " + db + r" IS "
        r"|(?:GRANT|REVOKE) .* ON DATABASE " + db + r" (?:TO|FROM) "
        r"|ALTER ROLE " + _IDENT + r" IN DATABASE " + db + r" "
        r"|UPDATE pg_catalog\.pg_database "
        r")",
        re.DOTALL,
    )


def identifier_value(token: str) -> str:
    """What the server makes of an identifier as written: quotes removed or ASCII folded to lower case."""
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    return token.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class DumpFilter:
    """Feed SQL chunks in order, then finish(); get back the actions to replay.

    ``keep_text`` False checks a file without keeping any statement (bounded memory); the
    actions then carry no SQL. ``foreign_extensions``: extensions the restoring role does not own;
    ``installed_extensions``: every extension the database has (their statements may run).
    """

    def __init__(
        self,
        *,
        keep_text: bool = True,
        foreign_extensions: frozenset[str] = frozenset(),
        installed_extensions: frozenset[str] = frozenset(),
    ) -> None:
        self.skipped: list[str] = []
        self.skipped_count = 0
        self.skipped_extensions: list[str] = []
        self.database_name: str | None = None
        self._about_database: re.Pattern[str] | None = None
        self._foreign_extensions = foreign_extensions
        self._installed_extensions = installed_extensions
        self._keep_text = keep_text
        self._scanner = SqlScanner(keep_text=keep_text)
        self._decoder = DumpDecoder()
        self._statements = 0

    @property
    def creates_database(self) -> bool:
        return self._about_database is not None

    @property
    def in_copy_data(self) -> bool:
        """Whether the SQL fed so far ends inside a COPY block's data."""
        return self._scanner.in_copy_data

    def feed(self, chunk: bytes) -> list[Action]:
        return self._decide(self._scanner.feed(self._utf8(self._decoder.feed, chunk)))

    def finish(self) -> list[Action]:
        """The last actions; DumpRefused if the file ends inside a statement or COPY data."""
        rest = self._utf8(lambda _: self._decoder.finish(), b"")
        return self._decide([*self._scanner.feed(rest), *self._scanner.finish()])

    def _utf8(self, convert: Callable[[bytes], bytes], chunk: bytes) -> bytes:
        """The SQL as UTF-8, whatever encoding the dump declares (encoding.py)."""
        try:
            return convert(chunk)
        except UnicodeDecodeError:
            raise DumpRefused(self._scanner.line, f"text that is not {self._decoder.encoding}") from None
        except ValueError as error:
            raise DumpRefused(self._scanner.line, str(error)) from None

    def _decide(self, events: list[Event]) -> list[Action]:
        actions: list[Action] = []
        for event in events:
            if isinstance(event, Statement):
                if (action := self._statement(event)) is not None:
                    actions.append(action)
            elif isinstance(event, MetaCommand):
                self._meta_command(event)
            else:
                actions.append(event)
        return actions

    def _statement(self, statement: Statement) -> Action | None:
        head = statement.head
        if _COPY.match(head):
            return self._copy(statement)
        if verb := _TRANSACTION_CONTROL.match(head):
            if head in _LARGE_OBJECT_WRAPPING and _BLOBS_HEADER.search(statement.last_comment):
                return None
            raise DumpRefused(
                statement.line,
                f"transaction control ({' '.join(verb['verb'].upper().split())}) would end or split the "
                "restore's single transaction",
            )
        if self._about_database is None and (match := _DATABASE_STATEMENT.match(head)):
            self.database_name = identifier_value(match["name"])
            self._about_database = _statements_about(match["name"])
        if self._about_database is not None and self._about_database.match(head):
            self._skip(head)
            return None
        if encoding := _CLIENT_ENCODING.match(head):
            if canonical(said := encoding["encoding"]) != self._decoder.encoding:
                raise DumpRefused(
                    statement.line, f"a second client encoding ({said!r}, after {self._decoder.encoding})"
                )
            return None  # the SQL was converted to the connection's UTF-8 (encoding.py)
        extension = _EXTENSION_STATEMENT.match(head)
        if extension and identifier_value(extension["name"]) in self._foreign_extensions:
            name = identifier_value(extension["name"])
            if name not in self.skipped_extensions:
                self.skipped_extensions.append(name)
            self._skip(head)
            return None
        decided = verdict(head, statement.head_complete, self._installed_extensions)
        if decided is Verdict.DROP:
            return None
        if isinstance(decided, str):
            raise DumpRefused(statement.line, f"{_quote(head)}: {decided}")
        self._statements += 1
        if self._statements > STATEMENT_COUNT_LIMIT:
            raise DumpRefused(
                statement.line,
                f"more than {STATEMENT_COUNT_LIMIT} statements (pg_dump writes rows as COPY data)",
            )
        return _execute(statement) if self._keep_text else Execute(statement.line, "", None)

    def _copy(self, statement: Statement) -> CopyInto:
        copy = _PG_DUMP_COPY.match(statement.head) if statement.copy_from_stdin else None
        if copy is None or not statement.head_complete:
            raise DumpRefused(
                statement.line,
                f"a COPY statement that pg_dump does not write ({_quote(statement.head)}); only "
                "`COPY table (columns) FROM stdin;` is replayed",
            )
        *schema, table = [identifier_value(token) for token in _IDENT_IN_LIST.findall(copy["target"])]
        columns = tuple(identifier_value(token) for token in _IDENT_IN_LIST.findall(copy["columns"] or ""))
        return CopyInto(statement.line, schema[0] if schema else None, table, columns)

    def _meta_command(self, command: MetaCommand) -> None:
        text = command.text
        if command.routine_line:
            raise DumpUnreplayable(command.routine_line, ROUTINE_RUNS_ON)
        if command.inside_statement:
            raise DumpRefused(
                command.line, f"a psql meta-command ({_quote(text)}) after SQL on the same statement"
            )
        if _PG_DUMP_GUARD.match(text):
            return
        connect = _CONNECT.match(text)
        if connect and self.database_name is not None and _connect_target(connect) == self.database_name:
            self._skip(text)
            return
        if connect:
            raise DumpRefused(
                command.line,
                f"{_quote(text)} would connect to another database than the one being restored",
            )
        raise DumpRefused(command.line, f"a psql meta-command ({_quote(text)}) outside COPY data")

    def _skip(self, statement: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SKIPPED_SAMPLE_LIMIT:
            self.skipped.append(printable(statement.strip()[:200]))


def _connect_target(connect: re.Match[str]) -> str:
    if connect["plain"] is not None:
        return connect["plain"]
    return re.sub(r"\\(.)", r"\1", connect["quoted"])


def _execute(statement: Statement) -> Execute:
    assert statement.text is not None
    try:
        sql = statement.text.decode("utf-8")
    except UnicodeDecodeError:
        raise DumpRefused(statement.line, "a statement that is not valid UTF-8") from None
    spelled = one_command_spelling(statement.text, statement.dollar_quotes)
    if spelled is None:
        return Execute(statement.line, sql, None)
    # only ASCII was written, between tokens: still UTF-8
    return Execute(statement.line, sql, sql if spelled is statement.text else spelled.decode("utf-8"))


def printable(text: str) -> str:
    """Text from a file, safe to print: control characters (terminal escapes) become U+FFFD."""
    return "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in text)


def _quote(text: str, limit: int = 60) -> str:
    """Dump text for a message: one printable line, short, in backticks that it cannot close."""
    flat = printable(" ".join(text.split()).replace("`", "'"))
    return "`" + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + "`"
