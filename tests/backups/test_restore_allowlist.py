"""The allow-list's verdicts: on single statement heads (pg_dump's own forms, near misses), and on
what the trust audit planted, at random places in real dumps.
"""

# The fixtures imported from the property tests are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import random

import pytest

from bot.backups.restore.allowlist import Verdict, verdict
from bot.backups.restore.statement import HEAD_LIMIT
from tests.backups.fixtures import database  # noqa: F401 - fixtures
from tests.backups.test_restore_filter_properties import (  # noqa: F401 - real_dumps: fixture
    SEED,
    TRIALS,
    boundaries,
    line_at,
    plant,
    real_dumps,
    refusal,
)

INSTALLED = frozenset({"amcheck"})
# What the trust audit ran through a restore; pg_dump writes none of it (allowlist.py).
FORBIDDEN = [
    "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id > /tmp/x'''; END $$;",
    "do $$ begin perform 1; end $$;",
    "SELECT pg_catalog.pg_read_file('/etc/passwd');",
    "SELECT lo_import('/etc/passwd');",
    "SELECT lo_export(16400, '/tmp/x');",
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity;",
    "SELECT pg_sleep(3600);",
    "SELECT dblink_exec('dbname=postgres', 'CREATE ROLE x SUPERUSER');",
    "SELECT pg_catalog.setval('public.x', 1, true), pg_catalog.pg_sleep(1);",
    "SELECT pg_catalog.set_config('role', 'postgres', false);",
    "ALTER ROLE aphrodite SUPERUSER;",
    "ALTER ROLE aphrodite PASSWORD 'x';",
    "ALTER ROLE aphrodite SET statement_timeout = '1ms';",
    "ALTER USER aphrodite SET search_path = evil, pg_catalog;",
    "CREATE ROLE evil SUPERUSER LOGIN;",
    "GRANT pg_execute_server_program TO aphrodite;",
    "ALTER DATABASE aphrodite SET default_transaction_read_only = on;",
    "ALTER SYSTEM SET shared_preload_libraries = 'evil';",
    "SET ROLE postgres;",
    "RESET ROLE;",
    "SET SESSION AUTHORIZATION postgres;",
    "SET session_replication_role = replica;",
    "SET LOCAL statement_timeout = 0;",
    "LOAD 'evil';",
    "CALL public.sneaky();",
    "CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;",
    "CREATE EXTENSION file_fdw;",
    "CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;",
    "CREATE FOREIGN TABLE public.x (a text) SERVER files OPTIONS (program 'id');",
    "CREATE USER MAPPING FOR aphrodite SERVER files;",
    "CREATE SUBSCRIPTION s CONNECTION 'host=evil' PUBLICATION p;",
    "CREATE LANGUAGE plpython3u;",
    "UPDATE public.system_config SET value = 'x';",
    "DELETE FROM public.system_config;",
    "TRUNCATE public.system_config;",
    "WITH x AS (SELECT pg_sleep(1)) SELECT 1;",
    "VACUUM FULL;",
    "NOTIFY x;",
]


@pytest.mark.parametrize(
    "head",
    [
        "SET default_toast_compression = 'lz4';",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        'SELECT pg_catalog.setval(\'public."Odd""seq"\', 1500, true);',
        "SELECT pg_catalog.lo_create('16400');",
        "SELECT pg_catalog.lowrite(0, '\\x00ff');",
        "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16400';",
        'GRANT SELECT(name),UPDATE("Odd) ON TABLE x") ON TABLE public.t TO reader;',
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;',
        "CREATE EXTENSION IF NOT EXISTS amcheck WITH SCHEMA public;",  # already installed here
        "INSERT INTO public.t (a, b) OVERRIDING SYSTEM VALUE VALUES (1, 'x');",
        "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
    ],
)
def test_what_pg_dump_writes_runs(head):
    assert verdict(head, True, INSTALLED) is Verdict.RUN


@pytest.mark.parametrize(
    "head",
    [
        "SELECT pg_catalog.setval('public.x', 1, true);",  # whole forms only: cut short, unseen
        "SELECT pg_catalog.set_config('search_path', '', false);",
    ],
)
def test_a_select_form_is_run_only_when_its_whole_text_was_seen(head):
    assert verdict(head, False, INSTALLED) != Verdict.RUN


@pytest.mark.parametrize(
    "head",
    [
        "SET statement_timeout = 0;",
        "SET lock_timeout = 0;",
        "SET idle_in_transaction_session_timeout = 0;",
        "SET transaction_timeout = 0;",
    ],
)
def test_pg_dumps_own_time_limits_give_way_to_the_restores(head):
    assert verdict(head, True, INSTALLED) is Verdict.DROP


@pytest.mark.parametrize(
    "head",
    [
        "GRANT " + "A" * HEAD_LIMIT + ";",
        "GRANT " + '("' * (HEAD_LIMIT // 2) + ";",
        "GRANT " + "(" * HEAD_LIMIT,
        "SELECT pg_catalog.setval('" + "''" * (HEAD_LIMIT // 2),
        "SET search_path = " + "a, " * (HEAD_LIMIT // 3),
    ],
)
def test_a_long_head_that_almost_matches_is_refused_without_backtracking_forever(head):
    # Exponential backtracking would make this test never finish; linear matching takes milliseconds.
    assert isinstance(verdict(head, True, INSTALLED), str)


async def test_statements_pg_dump_never_writes_are_refused_at_their_line(real_dumps):
    rng = random.Random(SEED)
    for _ in range(TRIALS):
        sql = rng.choice(real_dumps)
        position = rng.choice(boundaries(sql))
        statement = rng.choice(FORBIDDEN)
        lead = rng.choice(["", "/* c */ ", "-- c\n"])

        refused = refusal(plant(sql, position, lead + statement + "\n"), rng)

        assert refused.line == line_at(sql, position) + lead.count("\n"), statement
        assert refused.reason.startswith("`"), refused.reason
