"""The allow-list's verdicts on single statement heads: pg_dump's own forms, and near misses."""

from __future__ import annotations

import pytest

from bot.backups.restore.allowlist import Verdict, verdict
from bot.backups.restore.statement import HEAD_LIMIT

INSTALLED = frozenset({"amcheck"})


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
