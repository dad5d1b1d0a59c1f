"""Backups and restores that outlive the 15-minute interaction token still tell the member."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.backups.fixtures import REAL_PG_DUMP
from tests.cogs.test_backups import ask, create_backup
from tests.support.postgres_cluster import APP_PASSWORD

INVALID_WEBHOOK_TOKEN = 50027


@pytest.fixture
def gate(tmp_path: Path, monkeypatch) -> Path:
    """A pg_dump on PATH that waits until the returned file exists, then runs (or fails, if it says so)."""
    bindir = tmp_path / "gated-bin"
    bindir.mkdir()
    gate = tmp_path / "gate"
    wrapper = bindir / "pg_dump"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'while [ ! -e "{gate}" ]; do sleep 0.05; done\n'
        f'if grep -q fail "{gate}"; then echo "pg_dump: error: disk on fire" >&2; exit 1; fi\n'
        f'exec "{REAL_PG_DUMP}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return gate


def only_expired_token_refusals(fake) -> None:
    assert fake.violations and {v.code for v in fake.violations} == {INVALID_WEBHOOK_TOKEN}
    fake.violations.clear()


async def test_a_backup_finishing_after_the_token_expired_is_posted_to_the_channel(
    start_bot, fake_discord, aphrodite_db, gate
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    record = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
    await record.wait_acknowledged(timeout=10)
    fake_discord.expire_interaction_tokens()
    gate.write_text("go")

    posted = await fake_discord.wait_for_channel_message(
        fake_discord.ops_channel_id, lambda m: bool(m.embeds), timeout=60
    )

    assert posted.content == f"<@{fake_discord.admin_user.id}>"
    assert "Backup created" in posted.embeds[0]["title"]
    ((filename, _),) = posted.attachments
    assert filename.startswith("aphrodite_backup_") and filename.endswith(".sql.gz")
    only_expired_token_refusals(fake_discord)


async def test_a_backup_failing_after_the_token_expired_says_why_in_the_channel(
    start_bot, fake_discord, aphrodite_db, gate
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    record = await fake_discord.slash("backup", "create", user=fake_discord.admin_user)
    await record.wait_acknowledged(timeout=10)
    fake_discord.expire_interaction_tokens()
    gate.write_text("fail")

    posted = await fake_discord.wait_for_channel_message(fake_discord.ops_channel_id, timeout=60)

    assert posted.content.startswith(f"<@{fake_discord.admin_user.id}> ❌ pg_dump exited with status 1")
    assert "disk on fire" in posted.content
    assert APP_PASSWORD not in fake_discord.all_sent_text()
    only_expired_token_refusals(fake_discord)


async def test_a_restore_finishing_after_the_token_expired_is_posted_to_the_channel(
    start_bot, fake_discord, aphrodite_db, gate
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    gate.write_text("go")
    _, name = await create_backup(fake_discord)
    gate.unlink()  # the restore's safety backup now waits
    question = await ask(fake_discord, "restore", name)
    press = await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await press.wait_acknowledged(timeout=10)
    fake_discord.expire_interaction_tokens()
    gate.write_text("go")

    posted = await fake_discord.wait_for_channel_message(
        fake_discord.ops_channel_id, lambda m: bool(m.embeds), timeout=60
    )

    assert posted.content == f"<@{fake_discord.admin_user.id}> ✅ Restore complete."
    assert "Restore complete" in posted.embeds[0]["title"]
    only_expired_token_refusals(fake_discord)
