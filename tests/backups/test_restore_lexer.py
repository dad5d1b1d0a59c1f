"""The dump lexer: PostgreSQL's quoting rules, psql's meta-commands, COPY data, and bounded memory."""

from __future__ import annotations

import itertools
import random
import re
import tracemalloc

import pytest

from bot.backups.restore.events import CopyData, CopyEnd, DumpRefused, Event, MetaCommand, Statement
from bot.backups.restore.lexer import SqlScanner
from bot.backups.restore.lexer_state import STATEMENT_LIMIT
from tests.support.copy_data import merged_copy_data

MIB = 1024 * 1024


def scan(sql: bytes, chunk_size: int | None = None, *, keep_text: bool = True) -> list[Event]:
    scanner = SqlScanner(keep_text=keep_text)
    size = chunk_size or max(len(sql), 1)
    events = [event for i in range(0, len(sql), size) for event in scanner.feed(sql[i : i + size])]
    return events + scanner.finish()


def statements(sql: bytes) -> list[bytes]:
    return [event.text for event in scan(sql) if isinstance(event, Statement)]


def metas(sql: bytes) -> list[tuple[int, str, bool]]:
    return [(e.line, e.text, e.inside_statement) for e in scan(sql) if isinstance(e, MetaCommand)]


@pytest.mark.parametrize(
    "sql",
    [
        b"SELECT 'a; \\! id';",
        b"SELECT 'it''s; \\! id';",
        b"SELECT E'it\\'s; \\\\! id';",
        b"SELECT e'\\\\''';",
        b'SELECT "we;ird\\! ""col";',
        b"SELECT $$ ; \\! id $$;",
        b"SELECT $body$ $$ ; \\! id $ $body$;",
        b"SELECT 1 /* ; \\! id /* nested ; */ still ; */;",
        b"SELECT 1 -- ; \\! id\n;",
        b"SELECT B'0101', X'1f';",
        b"SELECT U&'d\\0061t\\+000061';",
    ],
)
def test_semicolons_and_backslashes_inside_literals_and_comments_are_not_statements_or_commands(sql):
    assert statements(sql) == [sql]
    assert metas(sql) == []


def test_a_dollar_inside_an_identifier_starts_no_dollar_quote():
    sql = b"SELECT a$b$ FROM t$1; SELECT 2;"

    assert statements(sql) == [b"SELECT a$b$ FROM t$1;", b"SELECT 2;"]


def test_parameters_and_lone_dollars_start_no_dollar_quote():
    assert statements(b"SELECT $1; SELECT 1 $ 2;") == [b"SELECT $1;", b"SELECT 1 $ 2;"]


def test_with_standard_conforming_strings_off_every_string_takes_backslash_escapes():
    sql = b"SET standard_conforming_strings = off;\nSELECT 'a\\'; \\! id';\n"

    assert statements(sql) == [b"SET standard_conforming_strings = off;", b"SELECT 'a\\'; \\! id';"]
    assert metas(sql) == []


def test_with_standard_conforming_strings_on_a_backslash_does_not_escape_a_quote():
    sql = b"SELECT 'a\\'; \\! id';\n"

    assert metas(sql) == [(1, "\\! id';", False)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (b"\\! id\n", [(1, "\\! id", False)]),
        (b"SELECT 1;\n  \\o |id\n", [(2, "\\o |id", False)]),
        (b"SELECT 1; \\! id\n", [(1, "\\! id", False)]),
        (b"SELECT 1 \\g |id\n;", [(1, "\\g |id", True)]),
        (b"SELECT 1\n\\gexec\n;", [(2, "\\gexec", True)]),
        (b"/* x */ \\set a `id`\n", [(1, "\\set a `id`", False)]),
        (b"SELECT 'x' \\\\ \\! id\n;", [(1, "\\\\ \\! id", True)]),
    ],
)
def test_a_backslash_outside_literals_is_a_meta_command_to_the_end_of_its_line(sql, expected):
    assert metas(sql) == expected


def test_copy_data_is_passed_as_is_up_to_the_end_line():
    sql = b"COPY t (a) FROM stdin;\n1\t\\! id\n\\.x\n'\n\\.\nSELECT 1;\n"

    events = scan(sql)

    assert isinstance(events[0], Statement) and events[0].copy_from_stdin
    assert b"".join(e.data for e in events if isinstance(e, CopyData)) == b"1\t\\! id\n\\.x\n'\n"
    assert isinstance(events[-2], CopyEnd) and events[-1].text == b"SELECT 1;"
    assert events[-1].line == 6


def test_text_after_a_copy_statement_on_its_line_is_refused():
    with pytest.raises(DumpRefused, match="line 1: text after a COPY"):
        scan(b"COPY t (a) FROM stdin; SELECT 1;\n1\n\\.\n")


@pytest.mark.parametrize(
    ("sql", "where"),
    [
        (b"SELECT 'open", "a quoted string"),
        (b"SELECT $x$ open", "a dollar-quoted string"),
        (b'SELECT "open', "a quoted identifier"),
        (b"SELECT 1 /* open", "a /* comment */"),
        (b"COPY t FROM stdin;\n1\n", "COPY data"),
        (b"SELECT 1", "a statement that has no semicolon"),
    ],
)
def test_a_file_ending_inside_something_is_refused(sql, where):
    with pytest.raises(DumpRefused, match=re.escape(where)):
        scan(sql)


SAMPLE = (
    b"--\n-- Name: t; Type: TABLE; Schema: public\n--\n"
    b'CREATE TABLE "t""x" (a text DEFAULT E\'\\\\\'::text, b int);\n'
    b"CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;\n"
    b"COPY public.t (a, b) FROM stdin;\nrow\\.one\t1\n\\.\n"
    b"SELECT /* a /* b */ */ 'x''y' -- c\n;\n\\unrestrict k\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 64])
def test_events_do_not_depend_on_how_the_stream_is_cut(size):
    assert merged_copy_data(scan(SAMPLE, size)) == merged_copy_data(scan(SAMPLE))


@pytest.mark.parametrize("size", [1, 2, 3, 5, None])
def test_statements_say_where_their_dollar_quoted_strings_are_however_the_stream_is_cut(size):
    sql = b"CREATE FUNCTION f() AS $fn$ a; $$ $fn$, 'x', $$ b $$ LANGUAGE sql; SELECT $1, a$b$c, 'd$$';"

    first, second = [event for event in scan(sql, size) if isinstance(event, Statement)]

    assert first.text is not None
    assert [first.text[start:end] for start, end in first.dollar_quotes] == [b"$fn$ a; $$ $fn$", b"$$ b $$"]
    assert second.dollar_quotes == ()


def test_statements_carry_the_entry_header_above_them():
    first = scan(SAMPLE)[0]

    assert first.last_comment == "Name: t; Type: TABLE; Schema: public"


@pytest.mark.parametrize("size", [None, 1])
def test_a_comment_after_code_on_its_line_is_no_entry_header(size):
    sql = b"--\n-- Name: a\n--\nSELECT 1; -- not a header\n  -- nor this\nSELECT 2;\n"
    headers = [event.last_comment for event in scan(sql, size) if isinstance(event, Statement)]

    assert headers == ["Name: a", "Name: a"]


def peak_memory_while(feed) -> int:
    tracemalloc.start()
    try:
        feed()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_50_mb_copy_row_streams_through_in_chunk_sized_pieces_with_bounded_memory():
    row = b"x" * (50 * MIB)
    scanner = SqlScanner(keep_text=False)
    pieces: list[int] = []

    def feed() -> None:
        for chunk in itertools.chain([b"COPY t (a) FROM stdin;\n"], _chunks(row), [b"\n\\.\n"]):
            pieces.extend(len(e.data) for e in scanner.feed(chunk) if isinstance(e, CopyData))
        scanner.finish()

    peak = peak_memory_while(feed)

    assert sum(pieces) == len(row) + 1
    assert max(pieces) <= MIB + 3
    assert peak < 4 * MIB  # a few chunks at most, never the row


def test_a_20_mb_sql_line_is_checked_with_bounded_memory():
    literal = b"y" * (20 * MIB)
    scanner = SqlScanner(keep_text=False)
    heads: list[Statement] = []

    def feed() -> None:
        for chunk in itertools.chain([b"COMMENT ON TABLE t IS '"], _chunks(literal), [b"'; SELECT 1;\n"]):
            heads.extend(e for e in scanner.feed(chunk) if isinstance(e, Statement))
        heads.extend(e for e in scanner.finish() if isinstance(e, Statement))

    peak = peak_memory_while(feed)

    assert [s.head_complete for s in heads] == [False, True] and heads[1].head == "SELECT 1;"
    assert peak < 4 * MIB


def test_a_20_mb_sql_line_is_kept_whole_when_it_is_to_be_replayed():
    literal = b"z" * (20 * MIB)
    scanner = SqlScanner(keep_text=True)
    events: list[Event] = []
    for chunk in (b"COMMENT ON TABLE t IS '", *_chunks(literal), b"';\n"):
        events.extend(scanner.feed(chunk))

    (statement,) = events + scanner.finish()

    assert statement.text == b"COMMENT ON TABLE t IS '" + literal + b"';"


@pytest.mark.parametrize(("keep_text", "memory_bound"), [(False, 4 * MIB), (True, STATEMENT_LIMIT + 4 * MIB)])
def test_a_statement_longer_than_the_limit_is_refused_before_more_of_it_is_held(keep_text, memory_bound):
    scanner = SqlScanner(keep_text=keep_text)
    peak = 0

    def feed() -> None:
        scanner.feed(b"SET row_security = off;\nCOMMENT ON TABLE t IS '")
        for _ in range(2 * STATEMENT_LIMIT // MIB):  # twice the limit: more than the refusal lets in
            scanner.feed(b"w" * MIB)

    with pytest.raises(DumpRefused, match=r"a statement longer than 32 MiB") as refused:
        tracemalloc.start()
        try:
            feed()
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    assert refused.value.line == 2
    assert peak < memory_bound


def _chunks(data: bytes, size: int = MIB):
    view = memoryview(data)
    return (bytes(view[i : i + size]) for i in range(0, len(data), size))


def test_semicolons_in_a_sql_standard_routine_body_do_not_end_it_as_psql_decides():
    body = (
        b"CREATE FUNCTION public.grade(i integer) RETURNS text\n    LANGUAGE sql\n    BEGIN ATOMIC\n"
        b" SELECT CASE WHEN (grade.i > 1) THEN 'many'::text ELSE 'few'::text END AS \"case\";\n"
        b" SELECT 'x';\nEND;"
    )
    sql = body + b"\nCREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT 1; END;\nEND;\n"

    assert statements(sql) == [
        body,
        b"CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT 1; END;",
        b"END;",  # outside a routine, END is a statement of its own (and the filter refuses it)
    ]


def test_a_semicolon_inside_parentheses_does_not_end_a_statement_as_psql_decides():
    assert statements(b"SELECT (1; COMMIT); SELECT 2;") == [b"SELECT (1; COMMIT);", b"SELECT 2;"]


# Pieces of SQL whose order and neighbours change how the lexer reads them: words that open routine
# bodies or prefix strings, quotes, dollar quotes, comments, parentheses, COPY, spaces, high bytes.
SOUP = [
    *(b"select", b"create", b"CREATE", b"function", b"procedure", b"or", b"replace", b"begin"),
    *(b"END", b"case", b"atomic", b"E", b"e", b"B", b"x", b"t1", b"a$b", b"12", b"1e5", b"$1"),
    *(b" ", b"  ", b"\n", b"\t", b"\r\n", b"\f", b"(", b")", b",", b".", b"::", b"=", b"-", b"/"),
    *(b"*", b"--", b"/*", b"*/", b";", b";", b"'", b"''", b"\\", b"$", b"$$", b"$t$", b'"', b'""'),
    *(b"\n\\.\n", b"COPY t (a) FROM stdin;", b"SET standard_conforming_strings = off;", b"\xc3\xa9"),
    *(b" E'", b" e'\\'", b"(B'", b" X'", b"\n-- Name: x\n", b"CREATE FUNCTION f() ", b"ALTER TABLE t "),
    *(b"; -- c\n", b"\n  -- d\n"),
]


def _outcome(sql: bytes, chunk_size: int | None) -> object:
    try:
        return merged_copy_data(scan(sql, chunk_size))
    except DumpRefused as refused:
        return ("refused", refused.line, refused.reason)


def test_runs_read_at_once_give_the_events_of_reading_token_by_token():
    """Whole, the lexer reads plain runs and gaps in one step; a byte at a time, token by token."""
    chooser = random.Random(20261207)
    soups = [b"".join(chooser.choices(SOUP, k=chooser.randint(1, 60))) for _ in range(1500)]
    differing = [sql for sql in soups if _outcome(sql, None) != _outcome(sql, 1)]

    assert differing == []
