"""Fixtures and helpers for the backup tests (imported by each tests/backups/test_*.py).

They live here rather than in a conftest.py that another test family of this folder may own.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import shutil
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.backups.lock import LOCK_FILE_NAME
from bot.backups.pg_tools import PgTools
from bot.backups.service import BackupService
from bot.backups.sidecar_seal import KEY_FILE_NAME, SidecarSeal
from bot.cli import backups as backup_cli
from bot.cli.main import run_parsed
from bot.config import Secret, Settings
from bot.database.connection import Database
from bot.redact import Redactor
from tests.support.postgres_cluster import APP_PASSWORD  # noqa: F401 - for the tests

REAL_PG_DUMP = shutil.which("pg_dump")
# How every plain pg_dump starts: enough for a file to be listed as a backup (not to be restored).
DUMP_HEAD = "--\n-- PostgreSQL database dump\n--\n\n"


def write_dump_head(path: Path, *, compress: bool = False) -> Path:
    """A file that starts like a pg_dump (gzipped when ``compress``), as Aphrodite's own would."""
    data = (DUMP_HEAD + "-- made by Aphrodite\n").encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


@pytest.fixture
async def database(aphrodite_db) -> AsyncIterator[Database]:
    db = Database(Secret(aphrodite_db.dsn), redactor=Redactor())
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def backup_service(database: Database, backup_dir: Path) -> BackupService:
    return make_service(database, backup_dir)


def make_service(database: Database, backup_dir: Path, **options) -> BackupService:
    options.setdefault("progress_interval", 0.01)
    options.setdefault("redactor", database.redactor)
    options.setdefault("seal", SidecarSeal(backup_dir.parent / "data" / KEY_FILE_NAME, backup_dir))
    return BackupService(database, backup_dir, **options)


def wrapper_tools(tmp_path: Path, pg_dump_script: str) -> PgTools:
    """PgTools whose pg_dump is ``pg_dump_script`` (sh; $REAL_PG_DUMP is the real one); psql is real."""
    bindir = tmp_path / "wrapper-bin"
    bindir.mkdir(exist_ok=True)
    wrapper = bindir / "pg_dump"
    wrapper.write_text(f'#!/bin/sh\nREAL_PG_DUMP="{REAL_PG_DUMP}"\n{pg_dump_script}\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return PgTools(search_path=f"{bindir}{os.pathsep}{os.environ.get('PATH', os.defpath)}")


async def execute(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def fingerprint(dsn: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its contents, and every sequence's position."""
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetch(
            "SELECT c.relname, c.relkind::text AS relkind "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') ORDER BY c.relname"
        )
        result: dict[str, tuple[int, str]] = {}
        for row in tables:
            name = row["relname"]
            if row["relkind"] == "S":
                value = await connection.fetchval(f'SELECT last_value FROM public."{name}"')
                result[name] = (1, str(value))
                continue
            count, checksum = await connection.fetchrow(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') "
                f'FROM public."{name}" AS t'
            )
            result[name] = (count, checksum)
        return result
    finally:
        await connection.close()


async def mutate(dsn: str) -> None:
    """Changes of every kind a restore must undo: deletes, updates, inserts, a new table."""
    await execute(
        dsn,
        "DELETE FROM badge_applications WHERE id % 2 = 0",
        "UPDATE media_items SET title = 'changed ' || id WHERE id <= 100",
        "INSERT INTO schedules (name, cron_expression) VALUES ('Added later', '* * * * *')",
        "CREATE TABLE added_after_backup (id int REFERENCES media_items(id))",
        "INSERT INTO added_after_backup VALUES (1), (2)",
    )


async def pg_dump_like_aphrodite(dsn_parts_env: dict[str, str], target: Path, *, compress: bool) -> None:
    """What Aphrodite's web UI does: `pg_dump --clean --if-exists --create`, gzip via Python."""
    process = await asyncio.create_subprocess_exec(
        REAL_PG_DUMP,
        "--no-password",
        "--clean",
        "--if-exists",
        "--create",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **dsn_parts_env},
    )
    sql, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()
    await asyncio.to_thread(target.write_bytes, gzip.compress(sql) if compress else sql)


def libpq_env(database: Database) -> dict[str, str]:
    return database.parts.environment()


def files_in(folder: Path) -> set[str]:
    """Every file in ``folder`` but the lock file (which exists once anything ran)."""
    return {path.name for path in folder.iterdir()} - {LOCK_FILE_NAME}


async def run_cli(settings: Settings, *argv: str) -> int:
    """Parse a `python -m bot backup ...` line and run it as bot/cli/main.py does, with ``settings``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser(prog="python -m bot")
    backup_cli.register(parser.add_subparsers(dest="command", required=True), common)
    return await run_parsed(parser.parse_args(argv), settings)
