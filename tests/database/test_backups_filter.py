"""The rewrite that lets Aphrodite's `--create` dumps restore into the configured database."""

from __future__ import annotations

from bot.database.restore_filter import DatabaseStatementFilter

CREATE_DUMP = b"""--
-- PostgreSQL database dump
--

\\restrict abc123

SET statement_timeout = 0;
SET lock_timeout = 0;
DROP DATABASE IF EXISTS aphrodite;
CREATE DATABASE aphrodite WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE = 'C.UTF-8';
ALTER DATABASE aphrodite OWNER TO aphrodite;
\\unrestrict abc123
\\connect aphrodite
\\restrict abc123
COMMENT ON DATABASE aphrodite IS 'first line
it''s the second; still the comment';
CREATE TABLE public.notes (id integer, body text);
CREATE PROCEDURE public.tidy() LANGUAGE plpgsql AS $$
BEGIN
COMMIT;
END;
$$;
COPY public.notes (id, body) FROM stdin;
1\tDROP DATABASE IF EXISTS aphrodite;
2\t\\\\connect elsewhere
\\.

--
-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -
--

BEGIN;

SELECT pg_catalog.lo_open('16548', 131072);
COMMIT;

GRANT CONNECT,TEMPORARY ON DATABASE aphrodite TO reader;
GRANT SELECT ON TABLE public.notes TO reader;

--
-- PostgreSQL database dump complete
--

\\unrestrict abc123
"""


def rewrite(sql: bytes, chunk_size: int | None = None) -> tuple[bytes, DatabaseStatementFilter]:
    statement_filter = DatabaseStatementFilter()
    size = chunk_size or len(sql)
    out = b"".join(statement_filter.feed(sql[i : i + size]) for i in range(0, len(sql), size))
    return out + statement_filter.finish(), statement_filter


def test_database_level_statements_are_removed_and_reported():
    out, statement_filter = rewrite(CREATE_DUMP)

    for gone in (
        b"DROP DATABASE IF EXISTS aphrodite;\n",
        b"CREATE DATABASE",
        b"ALTER DATABASE",
        b"\\connect aphrodite",
        b"COMMENT ON DATABASE",
        b"it''s the second",
        b"ON DATABASE aphrodite TO reader",
    ):
        assert gone not in out.replace(b"1\tDROP DATABASE IF EXISTS aphrodite;\n", b""), gone
    assert statement_filter.database_name == "aphrodite" and statement_filter.creates_database
    assert statement_filter.skipped_count == 6
    assert statement_filter.skipped[0] == "DROP DATABASE IF EXISTS aphrodite;"


def test_objects_data_and_function_bodies_pass_untouched():
    out, _ = rewrite(CREATE_DUMP)

    assert b"CREATE TABLE public.notes (id integer, body text);\n" in out
    assert b"BEGIN\nCOMMIT;\nEND;\n$$;\n" in out  # a procedure may COMMIT: its body stays whole
    assert b"1\tDROP DATABASE IF EXISTS aphrodite;\n2\t\\\\connect elsewhere\n\\.\n" in out
    assert b"GRANT SELECT ON TABLE public.notes TO reader;" in out
    assert b"\\restrict abc123" in out and b"\\unrestrict abc123" in out
    assert b"-- PostgreSQL database dump complete" in out


def test_transaction_control_around_large_objects_and_the_lock_timeout_are_removed():
    out, _ = rewrite(CREATE_DUMP)

    blobs = out[out.index(b"Type: BLOBS") :]
    assert b"\nBEGIN;\n" not in blobs and b"\nCOMMIT;\n" not in blobs
    assert b"SELECT pg_catalog.lo_open" in blobs
    assert b"SET lock_timeout = 0;" not in out and b"SET statement_timeout = 0;" in out


def test_result_does_not_depend_on_how_the_stream_is_cut():
    whole, _ = rewrite(CREATE_DUMP)

    for size in (1, 2, 3, 7, 64):
        assert rewrite(CREATE_DUMP, size)[0] == whole


def test_dump_without_create_database_is_passed_through_whole():
    clean_dump = CREATE_DUMP.replace(b"DROP DATABASE IF EXISTS aphrodite;\n", b"").replace(
        b"CREATE DATABASE aphrodite WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE = 'C.UTF-8';\n", b""
    )

    out, statement_filter = rewrite(clean_dump)

    assert not statement_filter.creates_database and statement_filter.skipped_count == 0
    assert b"GRANT CONNECT,TEMPORARY ON DATABASE aphrodite TO reader;" in out
