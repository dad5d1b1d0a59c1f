"""The restore against a corpus of every object kind pg_dump writes (tests/backups/corpus/).

Each test builds the objects in the test cluster, dumps them with the real pg_dump in one of the
styles found in BACKUP_DIR (ours, Aphrodite's `--create`, a bare pg_dump), restores the file in
place over a changed database and into a fresh one, and compares `pg_dump` of the result with
the original and with what `psql --single-transaction` makes of the same file.
"""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import itertools
import os
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.backups.compression import Compression
from bot.backups.restore.errors import RestoreFailed, RestoreRefused
from bot.backups.service import BackupService
from bot.config import Secret
from bot.database.connection import Database
from bot.redact import Redactor
from tests.backups.fixtures import REAL_PG_DUMP, backup_dir, execute, make_service  # noqa: F401
from tests.support.postgres_cluster import APP_USER, SUPERUSER_PASSWORD, PostgresCluster

CORPUS = Path(__file__).with_name("corpus")
_names = itertools.count(1)
# pg_dump's per-run random guard key differs between any two dumps; everything else must not.
_GUARD_LINE = re.compile(rb"^\\(?:un)?restrict \S+\n", re.MULTILINE)
STYLES = {
    "ours": (),  # made by BackupService: --clean --if-exists
    "aphrodite": ("--clean", "--if-exists", "--create"),
    "bare": (),
}


async def _superuser(cluster: PostgresCluster, *statements: str, database: str = "postgres") -> None:
    await execute(cluster.superuser_dsn(database), *statements)


async def _new_database(cluster: PostgresCluster, *options: str) -> str:
    name = f"corpus_{next(_names)}"
    await _superuser(
        cluster, f"CREATE DATABASE {name} OWNER {APP_USER} TEMPLATE template0 {' '.join(options)}"
    )
    return name


@pytest.fixture
async def corpus(pg_cluster: PostgresCluster) -> AsyncIterator[str]:
    """A database holding every object kind of objects.sql, owned by the application role."""
    name = await _new_database(pg_cluster)
    await execute(pg_cluster.dsn(name), (CORPUS / "objects.sql").read_text())
    yield name
    await _superuser(pg_cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pg_dump(cluster: PostgresCluster, database: str, *options: str) -> bytes:
    """`pg_dump` of ``database`` as the superuser (sees everything), guard lines removed."""
    result = subprocess.run(
        [
            REAL_PG_DUMP,
            "--no-password",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            *options,
            database,
        ],
        capture_output=True,
        env={**os.environ, "PGPASSWORD": SUPERUSER_PASSWORD},
        check=True,
    )
    return _GUARD_LINE.sub(b"", result.stdout)


def psql_restore(cluster: PostgresCluster, database: str, dump: Path) -> None:
    """What a person would do by hand: `psql --single-transaction -f` as the application role."""
    subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-f",
            str(dump),
            cluster.dsn(database),
        ],
        capture_output=True,
        check=True,
    )


async def write_backup(
    cluster: PostgresCluster, database: str, style: str, folder: Path, service: BackupService
) -> Path:
    """A backup of ``database`` in ``style`` in ``folder``; ours is made by the service itself."""
    if style == "ours":
        result = await service.create(label="corpus", compression=Compression.NONE)
        return result.path
    path = folder / f"aphrodite_backup_20260101_00000{list(STYLES).index(style)}.sql"
    path.write_bytes(await asyncio.to_thread(pg_dump, cluster, database, *STYLES[style]))
    return path


def service_for(
    cluster: PostgresCluster, database: str, folder: Path, *, superuser: bool = False
) -> BackupService:
    dsn = cluster.superuser_dsn(database) if superuser else cluster.dsn(database)
    return make_service(Database(Secret(dsn), redactor=Redactor()), folder)


async def change_everything(dsn: str) -> None:
    """What a restore must undo: rows, an object dropped, one added, one left where a dump adds it."""
    await execute(
        dsn,
        "DELETE FROM corpus.items WHERE id % 2 = 0",
        "DROP VIEW corpus.happy_items",
        "CREATE TABLE corpus.added_later (id integer)",
        "ALTER TYPE corpus.mood ADD VALUE 'angry'",
    )


@pytest.mark.parametrize("style", list(STYLES))
async def test_every_object_kind_restores_in_place_as_it_was(pg_cluster, corpus, backup_dir, style):
    service = service_for(pg_cluster, corpus, backup_dir)
    backup = await write_backup(pg_cluster, corpus, style, backup_dir, service)
    original = pg_dump(pg_cluster, corpus)
    await change_everything(pg_cluster.dsn(corpus))

    await service.restore(backup.name, label="corpus")

    assert pg_dump(pg_cluster, corpus) == original
    await service.database.close()


@pytest.mark.parametrize("style", ["ours", "aphrodite"])
async def test_a_fresh_database_gets_what_psql_makes_of_the_same_file(pg_cluster, corpus, backup_dir, style):
    source = service_for(pg_cluster, corpus, backup_dir)
    backup = await write_backup(pg_cluster, corpus, style, backup_dir, source)
    by_psql, by_bot = await _new_database(pg_cluster), await _new_database(pg_cluster)
    target = service_for(pg_cluster, by_bot, backup_dir)
    psql_restore(pg_cluster, by_psql, _as_fresh(backup, by_psql))

    await target.restore(backup.name, label="corpus")

    assert pg_dump(pg_cluster, by_bot) == pg_dump(pg_cluster, by_psql)
    for service in (source, target):
        await service.database.close()


def _as_fresh(backup: Path, database: str) -> Path:
    """The same dump for psql, pointed at ``database`` (psql obeys the file's own `\\connect`)."""
    copy = backup.with_name(f"psql-{database}.sql")
    copy.write_bytes(
        re.sub(
            rb"^(CREATE DATABASE|DROP DATABASE|ALTER DATABASE|\\connect).*$",
            b"",
            backup.read_bytes(),
            flags=re.MULTILINE,
        )
    )
    return copy


async def test_event_triggers_guarding_ddl_do_not_stop_an_in_place_restore(pg_cluster, corpus, backup_dir):
    await _superuser(pg_cluster, (CORPUS / "superuser_objects.sql").read_text(), database=corpus)
    service = service_for(pg_cluster, corpus, backup_dir, superuser=True)
    backup = await service.create(label="corpus", compression=Compression.NONE)
    original = pg_dump(pg_cluster, corpus)
    await change_everything(pg_cluster.superuser_dsn(corpus))

    await service.restore(backup.name, label="corpus")

    assert pg_dump(pg_cluster, corpus) == original
    await service.database.close()


async def test_a_latin1_databases_own_backup_restores_with_its_characters(pg_cluster, backup_dir):
    name = await _new_database(pg_cluster, "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'")
    dsn = pg_cluster.dsn(name)
    await execute(
        dsn, "CREATE TABLE words (w text)", "INSERT INTO words VALUES ('café'), ('Ærøskøbing'), ('ß ÿ')"
    )
    await execute(dsn, "COMMENT ON TABLE words IS 'naïve'")
    service = service_for(pg_cluster, name, backup_dir)
    backup = await service.create(label="latin1")
    original = pg_dump(pg_cluster, name)
    await execute(dsn, "UPDATE words SET w = 'changed'")

    await service.restore(backup.name, label="latin1")

    assert pg_dump(pg_cluster, name) == original
    connection = await asyncpg.connect(dsn)
    try:
        words = {row["w"] for row in await connection.fetch("SELECT w FROM words")}
        assert words == {"café", "Ærøskøbing", "ß ÿ"}
    finally:
        await connection.close()
    await service.database.close()


async def test_a_routine_named_begin_is_explained_as_unreplayable_not_as_altered(pg_cluster, backup_dir):
    name = await _new_database(pg_cluster)
    await execute(
        pg_cluster.dsn(name),
        "CREATE FUNCTION public.begin() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE TABLE after_it (a integer)",
        "INSERT INTO after_it VALUES (1)",
    )
    service = service_for(pg_cluster, name, backup_dir)
    backup = await service.create(label="begin")

    with pytest.raises(RestoreRefused) as refused:
        await service.restore(backup.name, label="begin")

    message = str(refused.value)
    assert "cannot be replayed" in message and "named begin" in message and "psql cannot restore" in message
    assert "altered" not in message.replace("need not have been altered", "")
    await service.database.close()


async def test_a_failed_clearing_names_the_statement_and_changes_nothing(pg_cluster, corpus, backup_dir):
    # A DBA's event trigger the application role cannot drop refuses the first DROP TABLE.
    service = service_for(pg_cluster, corpus, backup_dir)
    backup = await service.create(label="corpus", compression=Compression.NONE)
    await _superuser(pg_cluster, (CORPUS / "superuser_objects.sql").read_text(), database=corpus)
    before = pg_dump(pg_cluster, corpus)

    with pytest.raises(RestoreFailed) as failed:
        await service.restore(backup.name, label="corpus")

    message = str(failed.value)
    assert (
        f"Before replaying {backup.name}, clearing the database before the replay failed at DROP" in message
    )
    assert "tables are protected by an event trigger" in message and "line 0" not in message
    assert "Nothing was changed" in message
    assert pg_dump(pg_cluster, corpus) == before
    await service.database.close()
