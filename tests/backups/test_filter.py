"""What the filter replays and skips: Aphrodite's `--create` dumps restore into the configured database."""

from __future__ import annotations

import gzip

import pytest

from bot.backups.dump_file import BackupCorrupt
from bot.backups.restore.events import CopyData, CopyEnd, DumpRefused
from bot.backups.restore.filter import Action, CopyInto, DumpFilter, Execute
from bot.backups.restore.inspect import inspect_dump

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


def rewrite(sql: bytes, chunk_size: int | None = None) -> tuple[bytes, DumpFilter]:
    """What the filter would replay, written back as SQL (COPY blocks as pg_dump writes them)."""
    dump_filter = DumpFilter()
    size = chunk_size or len(sql)
    actions = [action for i in range(0, len(sql), size) for action in dump_filter.feed(sql[i : i + size])]
    return render(actions + dump_filter.finish()), dump_filter


def render(actions: list[Action]) -> bytes:
    out = []
    for action in actions:
        if isinstance(action, Execute):
            out.append(action.sql.encode() + b"\n")
        elif isinstance(action, CopyInto):
            columns = f" ({', '.join(action.columns)})" if action.columns else ""
            out.append(f"COPY {action.schema}.{action.table}{columns} FROM stdin;\n".encode())
        elif isinstance(action, CopyData):
            out.append(action.data)
        else:
            out.append(b"\\.\n")
    return b"".join(out)


def test_database_level_statements_are_removed_and_reported():
    out, dump_filter = rewrite(CREATE_DUMP)

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
    assert dump_filter.database_name == "aphrodite" and dump_filter.creates_database
    assert dump_filter.skipped_count == 6
    assert dump_filter.skipped[0] == "DROP DATABASE IF EXISTS aphrodite;"
    assert "\\connect aphrodite" in dump_filter.skipped


def test_objects_data_and_function_bodies_pass_untouched():
    out, _ = rewrite(CREATE_DUMP)

    assert b"CREATE TABLE public.notes (id integer, body text);\n" in out
    assert b"BEGIN\nCOMMIT;\nEND;\n$$;\n" in out  # a procedure may COMMIT: its body stays whole
    assert b"1\tDROP DATABASE IF EXISTS aphrodite;\n2\t\\\\connect elsewhere\n\\.\n" in out
    assert b"GRANT SELECT ON TABLE public.notes TO reader;" in out


def test_pg_dump_guard_lines_transaction_control_around_large_objects_and_its_time_limits_are_dropped():
    out, _ = rewrite(CREATE_DUMP)

    blobs = out[out.index(b"lo_open") - 100 :]
    assert b"BEGIN;" not in blobs and b"COMMIT;" not in blobs
    assert b"SELECT pg_catalog.lo_open" in blobs
    assert b"SET lock_timeout = 0;" not in out and b"SET statement_timeout = 0;" not in out
    assert b"SET idle_in_transaction_session_timeout = 0;" not in out
    assert b"restrict" not in out


def test_result_does_not_depend_on_how_the_stream_is_cut():
    whole, _ = rewrite(CREATE_DUMP)

    for size in (1, 2, 3, 7, 64):
        assert rewrite(CREATE_DUMP, size)[0] == whole


def test_dump_without_create_database_is_passed_through_whole():
    clean_dump = (
        CREATE_DUMP.replace(b"DROP DATABASE IF EXISTS aphrodite;\n", b"")
        .replace(
            b"CREATE DATABASE aphrodite WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE = 'C.UTF-8';\n",
            b"",
        )
        .replace(b"\\connect aphrodite\n", b"")
        .replace(b"ALTER DATABASE aphrodite OWNER TO aphrodite;\n", b"")
        .replace(
            b"COMMENT ON DATABASE aphrodite IS 'first line\nit''s the second; still the comment';\n", b""
        )
        .replace(b"GRANT CONNECT,TEMPORARY ON DATABASE aphrodite TO reader;\n", b"")
    )

    out, dump_filter = rewrite(clean_dump)

    assert not dump_filter.creates_database and dump_filter.skipped_count == 0
    assert b"CREATE TABLE public.notes" in out and b"GRANT SELECT ON TABLE public.notes TO reader;" in out


@pytest.mark.parametrize(
    "statement",
    [
        b"ALTER DATABASE aphrodite SET default_transaction_read_only = on;",
        b"GRANT CONNECT,TEMPORARY ON DATABASE aphrodite TO reader;",
        b"COMMENT ON DATABASE aphrodite IS 'x';",
    ],
)
def test_statements_about_a_database_the_dump_does_not_create_are_refused(statement):
    dump_filter = DumpFilter()

    with pytest.raises(DumpRefused, match=r"line 2: `"):
        dump_filter.feed(b"SET row_security = off;\n" + statement + b"\n")


def test_statements_about_extensions_owned_by_someone_else_are_skipped_and_named():
    dump = b"""CREATE EXTENSION IF NOT EXISTS amcheck WITH SCHEMA public;
COMMENT ON EXTENSION amcheck IS 'functions for verifying relation integrity';
DROP EXTENSION IF EXISTS "pgcrypto";
CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;
"""
    dump_filter = DumpFilter(foreign_extensions=frozenset({"amcheck", "pgcrypto"}))

    actions = dump_filter.feed(dump) + dump_filter.finish()

    assert [action.sql for action in actions] == ["CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;"]
    assert dump_filter.skipped_extensions == ["amcheck", "pgcrypto"] and dump_filter.skipped_count == 3
    assert (
        dump_filter.skipped[1]
        == "COMMENT ON EXTENSION amcheck IS 'functions for verifying relation integrity';"
    )


def test_copy_names_are_read_as_the_server_reads_them():
    dump = b'COPY "Weird ""Schema"""."Media Items" (id, "Title", Year) FROM stdin;\n1\tx\t2000\n\\.\n'
    dump_filter = DumpFilter()

    copy, data, end = dump_filter.feed(dump) + dump_filter.finish()

    assert copy == CopyInto(1, 'Weird "Schema"', "Media Items", ("id", "Title", "year"))
    assert data == CopyData(b"1\tx\t2000\n") and isinstance(end, CopyEnd)


@pytest.mark.parametrize(
    "statement",
    [
        b"COPY public.notes FROM PROGRAM 'id';",
        b"COPY public.notes TO '/tmp/notes';",
        b"COPY (SELECT 1) TO STDOUT;",
        b"COPY public.notes FROM stdin WITH (FORMAT binary);",
        b"copy public.notes from '/etc/passwd';",
    ],
)
def test_only_pg_dumps_own_copy_from_stdin_is_replayed(statement):
    dump_filter = DumpFilter()

    with pytest.raises(DumpRefused, match=r"line 2: a COPY statement that pg_dump does not write"):
        dump_filter.feed(b"SET row_security = off;\n" + statement + b"\n\\.\n")
        dump_filter.finish()


def test_a_create_dump_of_a_database_with_an_unusual_name_connects_to_it_and_nowhere_else():
    dump = (
        b'CREATE DATABASE "Aphrodite Prod" WITH TEMPLATE = template0;\n'
        b"\\connect -reuse-previous=on \"dbname='Aphrodite Prod'\"\n"
        b"SET row_security = off;\n"
    )
    dump_filter = DumpFilter()

    actions = dump_filter.feed(dump) + dump_filter.finish()

    assert dump_filter.database_name == "Aphrodite Prod"
    assert [a.sql for a in actions] == ["SET row_security = off;"]
    with pytest.raises(DumpRefused, match=r"line 3: .* would connect to another database"):
        other = DumpFilter()
        other.feed(
            dump.replace(b"SET row_security = off;", b"\\connect -reuse-previous=on \"dbname='postgres'\"")
        )


def _gzip_members(data: bytes, size: int) -> bytes:
    """``data`` as a chain of tiny gzip members: a reader yields it in pieces of ``size`` bytes."""
    return b"".join(gzip.compress(data[i : i + size]) for i in range(0, len(data), size))


PLANTED_EARLY = (
    b"--\n-- PostgreSQL database dump\n--\n\n\\! touch /tmp/pwned\nSELECT 1;\n"
    + b"-- padding\n" * 60
    + b"\n--\n-- PostgreSQL database dump complete\n--\n\n"
)


def test_the_one_pass_check_sees_the_first_bytes_even_in_tiny_pieces(tmp_path):
    path = tmp_path / "early.sql.gz"
    path.write_bytes(_gzip_members(PLANTED_EARLY, 16))

    check, refused = inspect_dump(path)

    assert check.sql_bytes == len(PLANTED_EARLY)
    assert refused is not None and refused.line == 5


def test_the_one_pass_check_reports_a_cut_file_before_what_it_would_refuse(tmp_path):
    path = tmp_path / "cut.sql"
    path.write_bytes(PLANTED_EARLY[:-40])

    with pytest.raises(BackupCorrupt, match="incomplete"):
        inspect_dump(path)
