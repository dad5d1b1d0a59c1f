"""`/db integrity`: each check finds what it exists to find, on a real Aphrodite database."""

from __future__ import annotations

import json

import asyncpg
import pytest

from bot.cli.database import run_integrity_check
from bot.config import Secret, Settings
from bot.database.connection import Database, DatabaseUnavailable
from bot.database.integrity.findings import Finding, Severity
from bot.database.integrity.maintenance import wraparound_finding, wraparound_severity
from bot.database.integrity.report import LAST_INTEGRITY_KEY, IntegrityReport, InvalidBudget, run_integrity
from bot.database.read_only import ReadOnlySession
from bot.redact import Redactor
from bot.runtime import Runtime
from bot.status import Status
from tests.support.postgres_cluster import free_port

VALID_SETTINGS = (
    "INSERT INTO system_config (key, value) VALUES ('settings.yaml', "
    """'{"api_keys": {"TMDB": [{"api_key": "tmdb-Key-0042"}]}}')"""
)


def finding(report: IntegrityReport, check: str) -> Finding:
    return next(item for item in report.findings if item.check == check)


async def test_healthy_database_is_ok_and_amcheck_asks_for_a_dba_as_the_app_user(
    app_database, app_sql, state
):
    await app_sql(VALID_SETTINGS)

    report = await run_integrity(app_database, state)

    assert report.overall is Status.OK
    assert {item.check: item.severity for item in report.findings} == {
        "expected_tables": Severity.OK,
        "settings_json": Severity.OK,
        "invalid_indexes": Severity.OK,
        "xid_wraparound": Severity.OK,
        "vacuum_analyze": Severity.OK,
        "dead_tuples": Severity.OK,
        "sequences": Severity.OK,
        "foreign_keys": Severity.OK,
        "amcheck": Severity.SKIPPED,
    }
    amcheck = finding(report, "amcheck")
    assert "cannot create it" in amcheck.summary and "ask your DBA" in amcheck.summary
    assert amcheck.fix[0].startswith("CREATE EXTENSION amcheck;")
    assert report.summary == "all 8 checks OK; 1 skipped"


async def test_the_last_result_is_kept_in_the_state_store(app_database, state):
    report = await run_integrity(app_database, state)

    record = await state.get(LAST_INTEGRITY_KEY)
    assert record["overall"] == report.overall.value
    assert record["counts"] == report.counts
    assert record["summary"] == report.summary
    assert record["checked_at"] == report.checked_at.isoformat()


async def test_invalid_index_is_a_problem_whose_fix_repairs_it(app_database, app_sql, superuser_sql, state):
    await superuser_sql(
        "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_media_items_title'::regclass"
    )

    report = await run_integrity(app_database, state)

    invalid = finding(report, "invalid_indexes")
    assert invalid.severity is Severity.PROBLEM
    assert report.overall is Status.FAILED
    assert invalid.details == ("public.ix_media_items_title on public.media_items (not valid)",)
    assert invalid.fix == ("REINDEX INDEX CONCURRENTLY public.ix_media_items_title;",)
    await app_sql(*invalid.fix)
    repaired = await run_integrity(app_database, state)
    assert finding(repaired, "invalid_indexes").severity is Severity.OK


async def test_sequence_behind_its_column_is_a_problem_whose_fix_repairs_it(app_database, app_sql, state):
    await app_sql("SELECT setval('media_items_id_seq', 10)")

    report = await run_integrity(app_database, state)

    sequences = finding(report, "sequences")
    assert sequences.severity is Severity.PROBLEM
    assert sequences.details == (
        "public.media_items_id_seq (public.media_items.id): next value 11 but the column already has 3,000",
    )
    assert sequences.fix == (
        "SELECT setval('public.media_items_id_seq', (SELECT max(id) FROM public.media_items));",
    )
    await app_sql(*sequences.fix)
    repaired = await run_integrity(app_database, state)
    assert finding(repaired, "sequences").severity is Severity.OK


async def test_missing_aphrodite_table_is_a_problem(app_database, app_sql, state):
    await app_sql("DROP TABLE schedule_executions")

    report = await run_integrity(app_database, state)

    tables = finding(report, "expected_tables")
    assert tables.severity is Severity.PROBLEM
    assert tables.summary == "1 table missing: schedule_executions"


async def test_unparseable_settings_are_a_problem_reported_without_their_content(
    app_database, app_sql, state, tmp_path, parse_cli, capsys
):
    await app_sql(
        "INSERT INTO system_config (key, value) VALUES ('settings.yaml', '{\"api_key\": \"omdb-SECRET-77\",')"
    )

    report = await run_integrity(app_database, state)

    settings = finding(report, "settings_json")
    assert settings.severity is Severity.PROBLEM
    assert "not valid JSON" in settings.summary
    assert "omdb-SECRET-77" not in repr(report)
    settings = Settings(database_url=app_database.dsn, data_dir=tmp_path)
    async with Runtime.open(settings) as runtime:
        await run_integrity_check(parse_cli("db", "integrity", "--json"), runtime)
    assert "omdb-SECRET-77" not in capsys.readouterr().out


async def test_settings_in_a_jsonb_column_are_accepted(app_database, app_sql, state):
    await app_sql(
        "ALTER TABLE system_config ALTER COLUMN value TYPE jsonb USING value::jsonb", VALID_SETTINGS
    )

    report = await run_integrity(app_database, state)

    assert finding(report, "settings_json").severity is Severity.OK


async def test_not_valid_foreign_key_with_orphans_is_a_problem_whose_fix_repairs_it(
    aphrodite_db, app_database, app_sql, state
):
    await app_sql(
        "ALTER TABLE processing_jobs DROP CONSTRAINT processing_jobs_media_item_id_fkey",
        "INSERT INTO processing_jobs (media_item_id, status) "
        "SELECT 900000 + i, 'queued' FROM generate_series(1, 3) AS i",
        "INSERT INTO processing_jobs (media_item_id, status) VALUES (NULL, 'queued')",
        "ALTER TABLE processing_jobs ADD CONSTRAINT processing_jobs_media_item_id_fkey "
        "FOREIGN KEY (media_item_id) REFERENCES media_items(id) NOT VALID",
    )

    report = await run_integrity(app_database, state)

    keys = finding(report, "foreign_keys")
    assert keys.severity is Severity.PROBLEM
    assert keys.details == (
        "public.processing_jobs → public.media_items (processing_jobs_media_item_id_fkey): 3 orphaned rows",
    )
    select, delete, validate = keys.fix
    assert (
        validate
        == "ALTER TABLE public.processing_jobs VALIDATE CONSTRAINT processing_jobs_media_item_id_fkey;"
    )
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        orphans = await connection.fetch(select.split("--")[0])
    finally:
        await connection.close()
    assert sorted(row["media_item_id"] for row in orphans) == [900001, 900002, 900003]
    await app_sql(delete.split("--")[0], validate)
    repaired = await run_integrity(app_database, state)
    assert finding(repaired, "foreign_keys").summary == "every foreign key is validated"


async def test_amcheck_runs_as_superuser_and_says_it_created_the_extension(superuser_database, state):
    first = await run_integrity(superuser_database, state)
    second = await run_integrity(superuser_database, state, heapallindexed=True)

    amcheck = finding(first, "amcheck")
    assert amcheck.severity is Severity.OK
    assert amcheck.summary.startswith("amcheck extension created")
    assert "B-tree indexes and" in amcheck.summary and amcheck.summary.endswith("no corruption")
    assert not amcheck.not_checked
    assert finding(second, "amcheck").severity is Severity.OK
    assert "created" not in finding(second, "amcheck").summary


async def test_amcheck_finds_an_index_out_of_order(superuser_database, superuser_sql, state):
    # An index built with one sort order whose operator class then sorts the other way round is
    # exactly what amcheck's order invariant catches (as after a collation change).
    await superuser_sql(
        "CREATE FUNCTION tmdb_order(int4, int4) RETURNS int4 LANGUAGE sql IMMUTABLE "
        "AS 'SELECT CASE WHEN $1 < $2 THEN -1 WHEN $1 > $2 THEN 1 ELSE 0 END'",
        "CREATE OPERATOR CLASS tmdb_order_ops FOR TYPE int4 USING btree AS OPERATOR 1 <, OPERATOR 2 <=, "
        "OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 tmdb_order(int4, int4)",
        "CREATE INDEX ix_media_items_tmdb ON media_items (tmdb_id tmdb_order_ops)",
        "CREATE OR REPLACE FUNCTION tmdb_order(int4, int4) RETURNS int4 LANGUAGE sql IMMUTABLE "
        "AS 'SELECT CASE WHEN $1 < $2 THEN 1 WHEN $1 > $2 THEN -1 ELSE 0 END'",
    )

    report = await run_integrity(superuser_database, state)

    amcheck = finding(report, "amcheck")
    assert amcheck.severity is Severity.PROBLEM and report.overall is Status.FAILED
    assert amcheck.summary.endswith("CORRUPTION in 1 place")
    assert amcheck.details == (
        'index public.ix_media_items_tmdb: item order invariant violated for index "ix_media_items_tmdb"',
    )
    assert amcheck.fix == ("REINDEX INDEX CONCURRENTLY public.ix_media_items_tmdb;",)


async def test_amcheck_installed_without_execute_privilege_asks_for_a_grant(
    app_database, superuser_sql, state
):
    await superuser_sql("CREATE EXTENSION amcheck")

    report = await run_integrity(app_database, state)

    amcheck = finding(report, "amcheck")
    assert amcheck.severity is Severity.SKIPPED
    assert "may not execute" in amcheck.summary
    (grant,) = amcheck.fix
    await superuser_sql(grant)
    granted = await run_integrity(app_database, state)
    assert finding(granted, "amcheck").severity is Severity.OK


async def test_amcheck_lists_what_it_could_not_check_when_the_budget_runs_out(superuser_database, state):
    report = await run_integrity(superuser_database, state, budget_seconds=0.001)

    amcheck = finding(report, "amcheck")
    assert amcheck.severity is Severity.SKIPPED
    assert "budget ran out" in amcheck.summary
    assert "index public.ix_media_items_title: time budget ran out" in amcheck.not_checked
    assert amcheck.not_checked[-1].startswith("… and ")
    assert finding(report, "sequences").severity is Severity.SKIPPED
    assert report.overall is not Status.FAILED


async def test_dead_tuples_and_never_analysed_tables_are_warnings_fixed_by_vacuum(
    app_database, superuser_sql, app_sql, state
):
    await superuser_sql(
        "CREATE TABLE poster_cache (id int) WITH (autovacuum_enabled = false)",
        "INSERT INTO poster_cache SELECT generate_series(1, 20000)",
        "DELETE FROM poster_cache WHERE id <= 12000",
        # Make the counters visible to other sessions now rather than within a second.
        "SELECT pg_stat_force_next_flush()",
    )

    report = await run_integrity(app_database, state)

    dead = finding(report, "dead_tuples")
    assert dead.severity is Severity.WARNING
    assert dead.details == (
        "public.poster_cache: 12,000 dead rows vs 8,000 live (150%), last vacuumed never",
    )
    coverage = finding(report, "vacuum_analyze")
    assert coverage.severity is Severity.WARNING
    assert coverage.details == (
        "public.poster_cache (8,000 rows): never vacuumed or analysed — autovacuum is disabled on this table",
    )
    assert report.overall is Status.DEGRADED
    await superuser_sql(*dead.fix)
    vacuumed = await run_integrity(app_database, state)
    assert finding(vacuumed, "dead_tuples").severity is Severity.OK
    assert finding(vacuumed, "vacuum_analyze").severity is Severity.OK


async def test_wraparound_headroom_is_reported(app_database, state):
    report = await run_integrity(app_database, state)

    wraparound = finding(report, "xid_wraparound")
    assert wraparound.severity is Severity.OK
    assert "left before the wraparound limit" in wraparound.summary


def test_wraparound_severity_follows_autovacuum_freeze_max_age_and_the_hard_limit():
    assert wraparound_severity(150_000_000, freeze_max_age=200_000_000) is Severity.OK
    assert wraparound_severity(310_000_000, freeze_max_age=200_000_000) is Severity.WARNING
    assert wraparound_severity(1_100_000_000, freeze_max_age=200_000_000) is Severity.PROBLEM
    assert wraparound_severity(1_100_000_000, freeze_max_age=1_500_000_000) is Severity.PROBLEM


def test_database_near_wraparound_names_the_oldest_tables_and_what_holds_vacuum_back():
    databases = [
        {
            "database": "aphrodite",
            "current": True,
            "xid_age": 1_200_000_000,
            "mxid_age": 5,
            "xid_freeze_max_age": 200_000_000,
            "mxid_freeze_max_age": 400_000_000,
        }
    ]
    oldest = [{"table": "public.media_items", "xid_age": 1_200_000_000}]
    horizon = {"session_xmin_age": 1_100_000_000, "prepared_transactions": 1, "slot_xmin_age": None}

    found = wraparound_finding(databases, oldest, horizon)

    assert found.severity is Severity.PROBLEM
    assert found.summary == (
        "oldest database aphrodite: transaction ID age 1,200,000,000, "
        "947,483,648 left before the wraparound limit (55.9% used)"
    )
    assert found.fix == ("VACUUM (FREEZE, VERBOSE) public.media_items;",)
    assert any("prepared transaction pending" in line for line in found.details)
    assert any("holds a snapshot 1,100,000,000 transactions old" in line for line in found.details)


async def test_unreachable_database_raises_and_the_cli_says_failed_in_json(
    state, tmp_path, parse_cli, capsys
):
    dsn = f"postgresql://aphrodite:Not-Here-Pass-5@127.0.0.1:{free_port()}/aphrodite"
    database = Database(Secret(dsn), timeout=2, redactor=Redactor())

    with pytest.raises(DatabaseUnavailable, match="refused"):
        await run_integrity(database, state)
    async with Runtime.open(Settings(database_url=Secret(dsn), data_dir=tmp_path)) as runtime:
        code = await run_integrity_check(parse_cli("db", "integrity", "--json"), runtime)

    assert code == 2
    output = capsys.readouterr().out
    assert json.loads(output)["overall"] == "failed"
    assert "Not-Here-Pass-5" not in output
    assert await state.get(LAST_INTEGRITY_KEY) is None


async def test_cli_exit_status_follows_the_worst_finding(
    aphrodite_db, app_sql, superuser_sql, tmp_path, parse_cli, capsys
):
    await app_sql(VALID_SETTINGS)
    settings = Settings(database_url=Secret(aphrodite_db.dsn), data_dir=tmp_path)
    async with Runtime.open(settings) as runtime:
        healthy = await run_integrity_check(parse_cli("db", "integrity"), runtime)
        await superuser_sql(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_media_items_title'::regclass"
        )
        broken = await run_integrity_check(parse_cli("db", "integrity", "--json"), runtime)

    assert (healthy, broken) == (0, 2)
    text, as_json = capsys.readouterr().out.split("\n{", 1)
    assert "[PROBLEM]" not in text and "[skipped] Corruption (amcheck)" in text
    report = json.loads("{" + as_json)
    assert report["overall"] == "failed"
    assert report["counts"]["problem"] == 1
    assert {"check", "title", "severity", "summary", "details", "fix", "not_checked"} <= set(
        report["findings"][0]
    )


async def test_a_check_that_cannot_run_is_a_warning_and_the_others_still_run(
    app_database, superuser_sql, state
):
    await superuser_sql("ALTER TABLE system_config OWNER TO postgres")

    report = await run_integrity(app_database, state)

    settings = finding(report, "settings_json")
    assert settings.severity is Severity.WARNING
    assert settings.summary == "could not run: permission denied for table system_config"
    assert finding(report, "sequences").severity is Severity.OK


async def test_budget_must_be_positive(state):
    database = Database(Secret("postgresql://aphrodite:pw-123@127.0.0.1:1/aphrodite"), redactor=Redactor())

    for budget in (0, -5, float("nan"), float("inf")):
        with pytest.raises(InvalidBudget):
            await run_integrity(database, state, budget_seconds=budget)


async def test_queries_run_in_read_only_transactions(app_database):
    async with app_database.connection() as connection:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await ReadOnlySession(connection).fetch("DELETE FROM media_items", timeout=5)
