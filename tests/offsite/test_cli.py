"""`python -m bot backup create|push|offsite` with OFFSITE_URL set: inline copies, never the secret."""

from __future__ import annotations

import json

from bot.config import load_settings
from tests.backups.fixtures import run_cli
from tests.offsite.conftest import SECRET_KEY, offsite_environ
from tests.offsite.helpers import keys_in


def cli_settings(aphrodite_db, s3_server, bucket, backup_dir, keys, **extra):
    environ = offsite_environ(
        s3_server.endpoint, bucket, backup_dir, keys, DATABASE_URL=aphrodite_db.dsn, **extra
    )
    return load_settings(environ, dotenv=False)


async def test_backup_create_copies_the_new_backup_off_site_before_it_exits(
    aphrodite_db, s3_server, bucket, backup_dir, age_keys, capsys
):
    settings = cli_settings(aphrodite_db, s3_server, bucket, backup_dir, age_keys)

    assert await run_cli(settings, "backup", "create") == 0

    out = capsys.readouterr()
    [key] = keys_in(s3_server.client(), bucket)
    assert key.endswith(".sql.gz.age")
    assert f"Off-site copy of {key.split('/')[-1].removesuffix('.age')}: {key}" in out.out
    assert SECRET_KEY not in out.out + out.err


async def test_backup_push_copies_an_existing_backup(
    aphrodite_db, s3_server, bucket, backup_dir, age_keys, capsys
):
    local = load_settings({"DATABASE_URL": aphrodite_db.dsn, "BACKUP_DIR": str(backup_dir)}, dotenv=False)
    assert await run_cli(local, "backup", "create", "--json") == 0
    name = json.loads(capsys.readouterr().out)["name"]
    settings = cli_settings(aphrodite_db, s3_server, bucket, backup_dir, age_keys)

    assert await run_cli(settings, "backup", "push", name, "--json") == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["uploaded"] is True and shown["key"] == f"team/aphrodite/{name}.age"


async def test_without_recipients_nothing_is_uploaded_and_the_variable_is_named(
    aphrodite_db, s3_server, bucket, backup_dir, capsys
):
    settings = cli_settings(aphrodite_db, s3_server, bucket, backup_dir, None)
    assert await run_cli(settings, "backup", "create", "--json") == 1  # the backup, but no copy
    created = json.loads(capsys.readouterr().out)
    assert "OFFSITE_AGE_RECIPIENTS" in created["offsite"]["error"]

    assert await run_cli(settings, "backup", "push", created["name"]) == 3

    assert "OFFSITE_AGE_RECIPIENTS" in capsys.readouterr().err
    assert keys_in(s3_server.client(), bucket) == []


async def test_backup_push_without_offsite_url_says_it_is_off(aphrodite_db, backup_dir, capsys):
    settings = load_settings({"DATABASE_URL": aphrodite_db.dsn, "BACKUP_DIR": str(backup_dir)}, dotenv=False)

    assert await run_cli(settings, "backup", "push", "aphrodite_backup_20250101_000000.sql.gz") == 3

    assert "OFFSITE_URL is not set" in capsys.readouterr().err


async def test_backup_offsite_shows_where_how_many_and_the_newest(
    aphrodite_db, s3_server, bucket, backup_dir, age_keys, capsys
):
    settings = cli_settings(aphrodite_db, s3_server, bucket, backup_dir, age_keys)
    assert await run_cli(settings, "backup", "create") == 0
    capsys.readouterr()

    assert await run_cli(settings, "backup", "offsite") == 0

    out = capsys.readouterr().out
    assert f"s3://{bucket}/team/aphrodite" in out
    assert "1 of ours" in out
    assert SECRET_KEY not in out


async def test_backup_list_says_where_each_backup_is_and_lists_those_only_off_site(
    aphrodite_db, s3_server, bucket, backup_dir, age_keys, capsys
):
    settings = cli_settings(aphrodite_db, s3_server, bucket, backup_dir, age_keys)
    local = load_settings({"DATABASE_URL": aphrodite_db.dsn, "BACKUP_DIR": str(backup_dir)}, dotenv=False)
    names = []
    for run in (settings, settings, local):
        assert await run_cli(run, "backup", "create", "--json") == 0
        names.append(json.loads(capsys.readouterr().out)["name"])
    assert await run_cli(local, "backup", "delete", names[0], "--yes") == 0
    capsys.readouterr()

    assert await run_cli(settings, "backup", "list", "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["where"] == {names[0]: "off-site", names[1]: "both", names[2]: "local"}
    assert [entry["name"] for entry in listing["offsite_only"]] == [names[0]]

    assert await run_cli(settings, "backup", "list") == 0
    out = capsys.readouterr().out
    assert "Only off-site (1;" in out and names[0] in out
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.startswith("aphrodite_")}
    assert rows[names[1]] == "both" and rows[names[2]] == "local"
