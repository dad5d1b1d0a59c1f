"""Each statement is spelled with one semicolon, its last, when it can be; routine bodies are respelled."""

from __future__ import annotations

import random

import asyncpg
import pytest

from bot.backups.restore.alone import RESPELL_LIMIT, one_command_spelling
from bot.backups.restore.events import Statement
from bot.backups.restore.lexer import SqlScanner
from tests.support.postgres_cluster import PostgresCluster


def _statement(sql: bytes) -> Statement:
    scanner = SqlScanner(keep_text=True)
    [statement] = [*scanner.feed(sql), *scanner.finish()]
    assert isinstance(statement, Statement)
    return statement


def spelling(sql: bytes) -> bytes | None:
    statement = _statement(sql)
    assert statement.text is not None
    return one_command_spelling(statement.text, statement.dollar_quotes)


@pytest.mark.parametrize(
    "sql",
    [
        b"CREATE TABLE public.t (id integer);",
        b"SELECT pg_catalog.set_config('search_path', '', false);",
        b"COMMENT ON TABLE public.t IS 'a '' quote';",
        b"CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;",
    ],
)
def test_a_statement_whose_only_semicolon_ends_it_is_sent_as_written(sql: bytes):
    assert spelling(sql) == sql


@pytest.mark.parametrize(
    "sql",
    [
        b"COMMENT ON TABLE public.t IS 'semi; colon';",
        b'CREATE TABLE public."semi;colon" (id integer);',
        b"CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
        b"CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$ SELECT 'a;' $$ /* ; */ COST 1;",
        b"CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$ SELECT ';' $$ SET x = 'a;';",
    ],
)
def test_a_semicolon_outside_a_dollar_quoted_string_leaves_the_extended_protocol(sql: bytes):
    assert spelling(sql) is None


@pytest.mark.parametrize(
    "text",
    [b"CREATE TABLE public.t (id integer); DROP TABLE public.u;", b"CREATE TABLE public.t (id integer)", b""],
)
def test_text_holding_two_commands_or_no_final_semicolon_has_no_spelling(text: bytes):
    assert one_command_spelling(text, ()) is None


def test_a_misplaced_dollar_quote_yields_one_command_or_none_never_two():
    """The count on the final text is the guarantee, not the lexer: a wrong span cannot make two."""
    text = b"SELECT $$a$$; DROP TABLE public.u; SELECT $$b;$$;"
    wrong = [(7, 12), (7, len(text) - 1), (text.index(b"$$b"), len(text) - 1)]

    for span in wrong:
        spelled = one_command_spelling(text, [span])
        assert spelled is None or (spelled.endswith(b";") and spelled.count(b";") == 1)
    assert one_command_spelling(text, [wrong[0], wrong[2]]) is None


def test_a_routine_body_is_respelled_as_the_escape_string_it_stands_for():
    sql = b"CREATE FUNCTION public.f() RETURNS integer LANGUAGE plpgsql AS $_$ BEGIN RETURN 1; END $_$;"

    spelled = spelling(sql)

    assert spelled == (
        b"CREATE FUNCTION public.f() RETURNS integer LANGUAGE plpgsql AS  E' BEGIN RETURN 1\\073 END ';"
    )


def test_a_body_a_string_after_it_would_continue_is_not_respelled():
    """`E'a'`, a newline and `'b'` are one string; `$$a$$` and `'b'` are not: respelled, it would change."""
    assert spelling(b"SELECT $$a;$$\n'b';") is None
    assert spelling(b"SELECT $$a;$$ -- c\n'b';") is None
    assert spelling(b"SELECT $$a;$$ /* c */ 'b';") is not None


def test_a_statement_over_the_limit_goes_as_written():
    body = b"SELECT 1; " * (RESPELL_LIMIT // 10)

    assert spelling(b"CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$" + body + b"$$;") is None


# Backslash sequences an escape string would read (\073, \x41, \u0041, \0), quotes, dollars, comments.
_BODY_BYTES = [
    b";",
    b"'",
    b"''",
    b"\\",
    b"\\073",
    b"x41",
    b"u0041",
    b"0",
    b"$",
    b"$$",
    b"$a",
    b"E'",
    b"\n",
    b"--",
    b"\xc3\xa9",
]


async def test_the_server_reads_a_respelled_string_as_the_dollar_quoted_one(pg_cluster: PostgresCluster):
    """Random bodies of quotes, backslashes, dollars and semicolons: the same strings, byte for byte."""
    chooser = random.Random(20261207)
    bodies = [b"".join(chooser.choices(_BODY_BYTES, k=chooser.randint(1, 40))) + b";" for _ in range(300)]
    connection = await asyncpg.connect(pg_cluster.superuser_dsn("postgres"))
    try:
        for body in bodies:
            sql = b"SELECT $q$" + body + b"$q$ AS a, $$;$$ AS b;"
            spelled = spelling(sql)
            assert spelled is not None and spelled.count(b";") == 1
            assert await connection.fetchrow(spelled.decode()) == (body.decode(), ";")
    finally:
        await connection.close()
