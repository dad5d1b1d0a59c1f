"""Row counts at dump time: every leaf table counted in the dump's own snapshot, kept in the sidecar."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import gzip
import json

from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    execute,
    make_service,
    wrapper_tools,
)


def _manifest(result) -> dict:
    return json.loads(result.path.with_name(result.name + ".json").read_text())


async def test_sidecar_records_every_leaf_table_row_count(backup_service, aphrodite_db):
    await execute(
        aphrodite_db.dsn,
        "CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at)",
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        "INSERT INTO events SELECT i, '2025-03-01' FROM generate_series(1, 7) AS i",
    )

    result = await backup_service.create(label="alice")

    counts = _manifest(result)["row_counts"]
    assert counts["public.media_items"] == 3000 and counts["public.processing_jobs"] == 1500
    assert counts["public.events_2025"] == 7
    assert "public.events" not in counts  # a partitioned parent holds no rows of its own


async def test_rows_written_during_the_dump_are_neither_dumped_nor_counted(
    database, backup_dir, tmp_path, aphrodite_db
):
    # The wrapper inserts a row after the snapshot was exported and before the real pg_dump starts.
    insert = "INSERT INTO schedules (name, cron_expression) VALUES ('Late', '* * * * *')"
    tools = wrapper_tools(
        tmp_path, f'psql -q -X -c "{insert}" >/dev/null || exit 9\nexec "$REAL_PG_DUMP" "$@"'
    )
    service = make_service(database, backup_dir, tools=tools)

    result = await service.create(label="alice")

    sql = gzip.decompress(result.path.read_bytes()).decode()
    assert "\tLate\t" not in sql
    assert _manifest(result)["row_counts"]["public.schedules"] == 2
