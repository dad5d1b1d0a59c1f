"""Real pg_dump output of the object kinds a database holds passes the restore's allow-list whole."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncpg
import pytest

from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    execute,
    fingerprint,
)
from tests.backups.test_restore_safety import PLANTED, real_dump

# Objects of most kinds pg_dump writes, so that its real output for them meets the allow-list.
RICH_SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    "CREATE SCHEMA extra",
    "CREATE TYPE extra.mood AS ENUM ('sad', 'happy')",
    "CREATE DOMAIN extra.positive AS integer CHECK (VALUE > 0)",
    "CREATE TYPE extra.pair AS (a integer, b text)",
    "CREATE SEQUENCE extra.counter START 7",
    "CREATE TABLE extra.people (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, "
    "mood extra.mood DEFAULT 'happy', size extra.positive, "
    "doubled integer GENERATED ALWAYS AS (size * 2) STORED, "
    "token text DEFAULT encode(gen_random_bytes(4), 'hex'), CHECK (length(name) < 100))",
    "CREATE INDEX people_lower ON extra.people (lower(name))",
    "CREATE TABLE extra.events (at date NOT NULL, what text) PARTITION BY RANGE (at)",
    "CREATE TABLE extra.events_2026 PARTITION OF extra.events "
    "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
    "CREATE FUNCTION extra.shout(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$",
    "CREATE FUNCTION extra.grade(i integer) RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN i > 1 "
    "THEN 'many' ELSE 'few' END; END",
    "CREATE PROCEDURE extra.tidy() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM extra.events; END $$",
    "CREATE FUNCTION extra.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := trim(NEW.name); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER people_touch BEFORE INSERT ON extra.people FOR EACH ROW EXECUTE FUNCTION extra.touch()",
    "CREATE VIEW extra.loud AS SELECT extra.shout(name) AS name FROM extra.people",
    "CREATE MATERIALIZED VIEW extra.counts AS SELECT mood, count(*) FROM extra.people GROUP BY mood",
    "CREATE RULE no_delete AS ON DELETE TO extra.events_2026 DO INSTEAD NOTHING",
    "ALTER TABLE extra.people ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY mine ON extra.people USING (true)",
    "CREATE STATISTICS extra.people_stats ON name, mood FROM extra.people",
    "COMMENT ON TABLE extra.people IS 'it''s people; \\! not a command'",
    "COMMENT ON COLUMN extra.people.name IS 'the name'",
    "GRANT USAGE ON SCHEMA extra TO PUBLIC",
    "GRANT SELECT (name) ON extra.people TO PUBLIC",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA extra GRANT SELECT ON TABLES TO PUBLIC",
    "INSERT INTO extra.people (name, size) VALUES (' Ann ', 3), ('Bob', 5)",
    "INSERT INTO extra.events VALUES ('2026-05-01', 'launch')",
    "SELECT setval('extra.counter', 42)",
    "SELECT lo_from_bytea(0, '\\x00ff'::bytea)",
    "REFRESH MATERIALIZED VIEW extra.counts",
]


# Kinds the restore's clear_schema does not drop: only dumps with their own DROPs (ours) restore them.
NOT_CLEARED = [
    "CREATE TEXT SEARCH CONFIGURATION extra.simple_copy (COPY = pg_catalog.simple)",
    "CREATE COLLATION extra.c_copy (locale = 'C')",
    "CREATE PUBLICATION feed FOR TABLE extra.people",
]


@pytest.mark.parametrize(
    ("flags", "extra"), [((), NOT_CLEARED), (("--inserts",), NOT_CLEARED), (("--create",), [])]
)
async def test_real_pg_dump_output_of_every_common_object_kind_restores_as_it_was(
    backup_service, aphrodite_db, backup_dir, flags, extra
):
    await execute(aphrodite_db.dsn, *RICH_SCHEMA, *extra)
    (backup_dir / PLANTED).write_bytes(await real_dump(aphrodite_db.dsn, *flags))  # nothing planted
    original = await fingerprint(aphrodite_db.dsn)
    await execute(aphrodite_db.dsn, "DROP SCHEMA extra CASCADE", "DELETE FROM public.system_config")

    await backup_service.restore(PLANTED, label="alice")

    assert await fingerprint(aphrodite_db.dsn) == original
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        names = await connection.fetchval("SELECT string_agg(name, ',' ORDER BY name) FROM extra.loud")
        assert names == "ANN,BOB"
        assert await connection.fetchval("SELECT last_value FROM extra.counter") == 42
        assert await connection.fetchval("SELECT count(*) FROM pg_largeobject_metadata") == 1
    finally:
        await connection.close()
