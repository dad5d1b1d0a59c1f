"""`/db status` and `/db integrity` end to end: the real bot, the fake Discord, a real PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import asyncpg

from bot.database.integrity.findings import Finding, Severity
from bot.database.integrity.report import IntegrityReport
from bot.database.role import SUPERUSER_RISK
from bot.status import Status
from cogs.access import REFUSAL
from cogs.ui import limits
from cogs.ui.db_embeds import integrity_embed
from cogs.ui.embeds import STATUS_COLOURS
from tests.support.postgres_cluster import APP_PASSWORD


async def run(fake_discord, *names: str) -> dict:
    record = await fake_discord.slash("db", *names, user=fake_discord.admin_user)
    await record.wait_done(timeout=30)
    assert record.ack_latency < 3
    return record.original.embeds[0]


def fields(embed: dict) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed["fields"]}


async def test_status_is_green_with_the_figures_sql_reports(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    embed = await run(fake_discord, "status")
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        tables = await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        max_connections = await connection.fetchval("SHOW max_connections")
    finally:
        await connection.close()
    shown = fields(embed)
    assert embed["color"] == STATUS_COLOURS[Status.OK].value
    assert embed["title"].endswith("Active")
    assert shown["Tables in public"] == str(tables)
    assert shown["Connections"].endswith(f"/ {max_connections}")
    assert "a1b2c3d4e5f6" in shown["Schema version"]
    assert "media_items" in shown["Largest tables"]
    assert ":***@" in shown["Connection"]
    assert APP_PASSWORD not in fake_discord.all_sent_text()


async def test_integrity_finds_an_invalid_index_and_status_shows_the_result(
    start_bot, fake_discord, aphrodite_db
):
    superuser = await asyncpg.connect(aphrodite_db.superuser_dsn)
    try:
        await superuser.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_media_items_title'::regclass"
        )
    finally:
        await superuser.close()
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    integrity = await run(fake_discord, "integrity")
    assert integrity["color"] == STATUS_COLOURS[Status.FAILED].value
    assert "ix_media_items_title" in str(integrity["fields"])
    status = await run(fake_discord, "status")
    assert "Failed" in fields(status)["Last integrity check"]


async def test_unreachable_database_is_red_and_the_bot_recovers(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    assert (await run(fake_discord, "status"))["color"] == STATUS_COLOURS[Status.OK].value
    aphrodite_db.cluster.stop()
    try:
        down = await run(fake_discord, "status")
    finally:
        aphrodite_db.cluster.start()
    assert down["color"] == STATUS_COLOURS[Status.FAILED].value
    assert down["title"].endswith("Unreachable")
    assert "refused" in down["description"] or "closed" in down["description"]
    back = await run(fake_discord, "status")
    assert back["color"] == STATUS_COLOURS[Status.OK].value


async def test_without_database_url_the_dashboard_is_grey(start_bot, fake_discord):
    await start_bot()
    embed = await run(fake_discord, "status")
    assert embed["color"] == STATUS_COLOURS[Status.NOT_CONFIGURED].value


async def test_integrity_without_database_url_says_what_to_set(start_bot, fake_discord):
    await start_bot()
    record = await fake_discord.slash("db", "integrity", user=fake_discord.admin_user)
    await record.wait_done(timeout=10)
    assert "DATABASE_URL" in record.original.content


async def test_wrong_password_is_explained_without_showing_it(start_bot, fake_discord, aphrodite_db):
    wrong = aphrodite_db.dsn.replace(APP_PASSWORD, "Wr0ng-Pass-Word-77")
    await start_bot(DATABASE_URL=wrong)
    embed = await run(fake_discord, "status")
    assert embed["color"] == STATUS_COLOURS[Status.FAILED].value
    assert "authentication failed" in embed["description"]
    assert "Wr0ng-Pass-Word-77" not in fake_discord.all_sent_text()


async def test_a_stranger_is_refused_and_nothing_runs(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    record = await fake_discord.slash("db", "integrity", user=fake_discord.stranger_user)
    await record.wait_done(timeout=10)
    assert record.ephemeral
    assert record.original.content == REFUSAL
    status = await run(fake_discord, "status")
    assert "never run" in fields(status)["Last integrity check"]


def test_many_long_findings_fit_and_the_problems_come_first():
    findings = tuple(
        Finding(
            check=f"check{n}",
            title=f"Check {n}",
            severity=Severity.PROBLEM if n % 10 == 9 else Severity.OK,
            summary="s" * 500,
            details=tuple(f"object {n}.{d} " + "x" * 200 for d in range(20)),
            fix=("REINDEX INDEX " + "y" * 900,),
        )
        for n in range(40)
    )
    report = IntegrityReport("aphrodite", datetime.now(UTC), 1.0, 60.0, "16.4", findings)
    embed = integrity_embed(report).build()
    assert len(embed) <= limits.EMBED_TOTAL
    assert len(embed.fields) <= limits.EMBED_FIELDS
    assert all(len(field.value) <= limits.FIELD_VALUE for field in embed.fields)
    assert embed.fields[0].name.startswith("❌")


async def test_a_superuser_connection_is_an_amber_risk_in_status_and_a_warning_at_start(
    start_bot, fake_discord, aphrodite_db, caplog
):
    with caplog.at_level(logging.WARNING, logger="bot.database.role"):
        await start_bot(DATABASE_URL=aphrodite_db.superuser_dsn)
        embed = await run(fake_discord, "status")
        for _ in range(200):  # the start's check runs in the background
            if caplog.records:
                break
            await asyncio.sleep(0.05)

    assert f"🟠 Risk: {SUPERUSER_RISK}" in embed["description"].splitlines()
    assert [record.getMessage() for record in caplog.records] == [f"database: {SUPERUSER_RISK}"]


async def test_the_owner_role_shows_no_risk(start_bot, fake_discord, aphrodite_db):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    embed = await run(fake_discord, "status")

    assert "Risk" not in embed["description"]
