"""Rewrites a dump's SQL stream so it restores into the configured database, whatever made it.

Aphrodite's web UI dumps with `pg_dump --clean --if-exists --create`: the SQL drops and recreates
the *database* and `\\connect`s to it. Nobody can drop a database others are connected to, and
DROP DATABASE cannot run inside the restore's transaction, so those database-level statements are
removed (and reported); the objects are restored into the database of DATABASE_URL instead. The
dump's `SET lock_timeout = 0;` goes too, so the restore keeps its own lock timeout, and so do the
`BEGIN;`/`COMMIT;` pg_dump wraps around large-object data: the restore is one transaction of ours,
and a COMMIT in the middle would make a failure after it permanent.

COPY data passes through untouched: it is found by its end line (`\\.`) with a byte search, never
parsed line by line, so a row that happens to read like a statement is never altered.
"""

from __future__ import annotations

import re

_IDENT = rb'(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")'
_DATABASE_STATEMENT = re.compile(
    rb"^(?:DROP DATABASE (?:IF EXISTS )?|CREATE DATABASE )(?P<name>" + _IDENT + rb")"
)
_COPY_START = re.compile(rb"^COPY .* FROM stdin;\r?\n$")
_COPY_END = b"\n\\.\n"
_SKIPPED_SETTINGS = (b"SET lock_timeout = 0;",)
# pg_dump heads every entry with `-- Name: ...; Type: TABLE; ...` (or `-- Data for Name:`).
_ENTRY_HEADER = re.compile(rb"^-- (?:Data for )?Name: .*; Type: (?P<type>[A-Z ]+); Schema: ")
_TRANSACTION_CONTROL = (b"BEGIN;", b"COMMIT;")
SKIPPED_SAMPLE_LIMIT = 20


def _statements_about(name: bytes) -> re.Pattern[bytes]:
    """Statements pg_dump --create writes about the database ``name`` itself."""
    db = re.escape(name)
    return re.compile(
        rb"^(?:"
        rb"DROP DATABASE (?:IF EXISTS )?" + db + rb";"
        rb"|CREATE DATABASE " + db + rb"[ ;]"
        rb"|ALTER DATABASE " + db + rb" "
        rb"|COMMENT ON DATABASE " + db + rb" IS "
        rb"|SECURITY LABEL FOR \S+ ON DATABASE " + db + rb" IS "
        rb"|(?:GRANT|REVOKE) .* ON DATABASE " + db + rb" (?:TO|FROM) "
        rb"|ALTER ROLE " + _IDENT + rb" IN DATABASE " + db + rb" "
        rb"|UPDATE pg_catalog\.pg_database "
        rb")"
    )


class DatabaseStatementFilter:
    """Feed SQL chunks in order; get back the SQL to send to psql."""

    def __init__(self) -> None:
        self.skipped: list[str] = []
        self.skipped_count = 0
        self.database_name: str | None = None
        self._about_database: re.Pattern[bytes] | None = None
        self._carry = b""
        self._in_copy = False
        self._pending: bytes | None = None
        self._entry_type = b""

    @property
    def creates_database(self) -> bool:
        return self._about_database is not None

    @property
    def inside_copy_data(self) -> bool:
        """True while the stream is in a COPY block: a dump never ends there."""
        return self._in_copy

    def feed(self, chunk: bytes) -> bytes:
        data = self._carry + chunk
        out: list[bytes] = []
        position = 0
        while position < len(data):
            if self._in_copy:
                position = self._pass_copy_data(data, position, out)
                if self._in_copy:
                    break
                continue
            end = data.find(b"\n", position)
            if end < 0:
                break
            self._sql_line(data[position : end + 1], out)
            position = end + 1
        self._carry = data[position:]
        return b"".join(out)

    def finish(self) -> bytes:
        """What is left after the last chunk (a final line without a newline)."""
        rest, self._carry = self._carry, b""
        if self._in_copy or not rest:
            return rest
        out: list[bytes] = []
        self._sql_line(rest, out)
        return b"".join(out)

    def _pass_copy_data(self, data: bytes, position: int, out: list[bytes]) -> int:
        """Emit COPY rows up to and including the `\\.` line, or every whole line seen so far."""
        if data.startswith(b"\\.\n", position):
            end = position + 3
        else:
            found = data.find(_COPY_END, position)
            if found < 0:
                last_newline = data.rfind(b"\n", position)
                if last_newline < 0:
                    return position
                out.append(data[position : last_newline + 1])
                return last_newline + 1
            end = found + len(_COPY_END)
        out.append(data[position:end])
        self._in_copy = False
        return end

    def _sql_line(self, line: bytes, out: list[bytes]) -> None:
        if self._pending is not None:
            self._pending += line
            if _statement_ends(self._pending):
                self._skip(self._pending)
                self._pending = None
            return
        if _COPY_START.match(line):
            self._in_copy = True
            out.append(line)
            return
        if header := _ENTRY_HEADER.match(line):
            self._entry_type = header["type"]
        # Only the large-object entry has bare BEGIN;/COMMIT; lines: elsewhere such a line sits
        # inside a function body (a procedure may COMMIT) and must stay as it is.
        if self._entry_type == b"BLOBS" and line.rstrip() in _TRANSACTION_CONTROL:
            return
        if self._about_database is None and (match := _DATABASE_STATEMENT.match(line)):
            self.database_name = match["name"].decode("utf-8", "replace")
            self._about_database = _statements_about(match["name"])
        if self._about_database is not None:
            if line.startswith(b"\\connect "):
                self._skip(line)
                return
            if self._about_database.match(line):
                if _statement_ends(line):
                    self._skip(line)
                else:
                    self._pending = line
                return
        if line.rstrip() in _SKIPPED_SETTINGS:
            return
        out.append(line)

    def _skip(self, statement: bytes) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SKIPPED_SAMPLE_LIMIT:
            self.skipped.append(statement.decode("utf-8", "replace").strip()[:200])


def _statement_ends(text: bytes) -> bool:
    """True when ``text`` ends with a semicolon outside any string literal.

    pg_dump writes standard-conforming strings, where a quote inside a literal is doubled, so an
    even number of quotes means every literal is closed.
    """
    return text.rstrip().endswith(b";") and text.count(b"'") % 2 == 0
