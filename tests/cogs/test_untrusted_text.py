"""Untrusted text reaches Discord inert: a service's error body, a log line, an alert summary.

What the fake Discord receives must hold no live masked link or mention from outside, and no code
block that text inside it could close early.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import asyncpg

from tests.fakes.services import NO_ANIDB
from tests.fakes.services.answers import HOSTILE_ERROR
from tests.support.alert_channel import alerts, rounds

HOSTILE_LOG_LINE = "2026-11-30 03:00:00 [ERROR] app.db:12: boom ```` [click](http://evil) @everyone ```"
FENCE = re.compile(r"(?<!`)```(?!`)")


def assert_inert(payload: dict) -> None:
    """No masked link, bare link or mass mention survives in ``payload`` (an embed or a message)."""
    text = json.dumps(payload, ensure_ascii=False)
    assert "[click](" not in text.replace("\\\\[click](", "")
    assert "http://evil" not in text
    assert "@everyone" not in text and "@here" not in text


def assert_one_code_block(text: str) -> None:
    """Exactly one opening and one closing fence: the backticks inside did not break out."""
    assert len(FENCE.findall(text)) == 2 and "````" not in text
    assert text.rstrip().endswith("```")


async def test_a_service_error_body_is_shown_inert_in_check_and_in_its_alert(start_bot, fake_discord, fakes):
    fakes.omdb.set_mode("hostile")
    bot = await start_bot(**fakes.environment(**NO_ANIDB), ALERT_ROLE_ID=str(fake_discord.admin_role_id))
    record = await fake_discord.slash("check", "omdb", user=fake_discord.admin_user)
    await record.wait_done(timeout=15)
    await rounds(bot, 3)

    check = record.original.embeds[0]
    assert "\\[click](http:\u200b//evil) @\u200beveryone" in check["description"]
    assert_inert(check)
    [alert] = [message for message in alerts(fake_discord) if "OMDb" in message.embeds[0]["title"]]
    assert alert.content == f"<@&{fake_discord.admin_role_id}>"  # the bot's own ping stays
    assert "click" in alert.embeds[0]["description"] and HOSTILE_ERROR not in json.dumps(alert.embeds)
    assert_inert(alert.embeds[0])


async def test_four_backticks_in_a_log_line_do_not_break_the_logs_view(
    start_bot, fake_discord, tmp_path: Path
):
    (tmp_path / "aphrodite-v2.log").write_text(f"{HOSTILE_LOG_LINE}\n")
    await start_bot()

    record = await fake_discord.slash("logs", "view", user=fake_discord.admin_user)
    await record.wait_done(timeout=10)

    description = record.original.embeds[0]["description"]
    code = description[description.index("```") :]
    assert "boom" in code and "@everyone" in code  # shown as it is, inside the block
    assert_one_code_block(code)


async def test_four_backticks_in_a_log_line_do_not_break_the_alert_summary(
    start_bot, fake_discord, tmp_path: Path
):
    log = tmp_path / "aphrodite-v2.log"
    log.write_text("2026-11-30 02:00:00 [INFO] app.main:1: started\n")
    bot = await start_bot(CHECK_INTERVAL_SECONDS="3600")
    await rounds(bot, 1)
    with log.open("a") as handle:
        handle.write(f"{HOSTILE_LOG_LINE}\n")
    await rounds(bot, 1)

    [summary] = [message for message in alerts(fake_discord) if "📜" in message.embeds[0]["title"]]
    description = summary.embeds[0]["description"]
    assert "boom" in description
    assert_one_code_block(description[description.index("```") :])


async def test_raise_exception_text_of_a_failing_restore_reaches_the_user_inert(
    start_bot, fake_discord, aphrodite_db, tmp_path: Path
):
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    hostile = "aphrodite_backup_20250101_120000.sql"
    (tmp_path / "backups").mkdir(exist_ok=True)
    (tmp_path / "backups" / hostile).write_text(
        "--\n-- PostgreSQL database dump\n--\n\n"
        "CREATE FUNCTION public.boom(integer) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN "
        "RAISE EXCEPTION '[click](http://evil) @everyone'; END$$;\n"
        "CREATE TABLE public.guarded (a integer CHECK (public.boom(a)));\n"
        "INSERT INTO public.guarded VALUES (1);\n"
        "\n--\n-- PostgreSQL database dump complete\n--\n"
    )
    question = await fake_discord.slash(
        "backup", "restore", user=fake_discord.admin_user, options={"name": hostile}
    )
    await question.wait_for(lambda r: r.original is not None and r.original.buttons(), timeout=15)
    await fake_discord.click(question.original, "confirm", user=fake_discord.admin_user)
    await question.wait_for(lambda r: any(m.ephemeral for m in r.followups), timeout=60)

    (error,) = [message for message in question.followups if message.ephemeral]
    assert error.content.startswith("❌") and "click" in error.content
    assert_inert({"content": error.content})


async def test_hostile_object_names_in_integrity_findings_are_inert(start_bot, fake_discord, aphrodite_db):
    superuser = await asyncpg.connect(aphrodite_db.superuser_dsn)
    try:
        await superuser.execute(
            'CREATE TABLE public."[click](http://evil) @everyone" (id int);'
            'CREATE INDEX "ix`` @everyone" ON public."[click](http://evil) @everyone" (id);'
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = '\"ix`` @everyone\"'::regclass"
        )
    finally:
        await superuser.close()
    await start_bot(DATABASE_URL=aphrodite_db.dsn)

    record = await fake_discord.slash("db", "integrity", user=fake_discord.admin_user)
    await record.wait_done(timeout=60)

    embed = record.original.embeds[0]
    assert "ix" in json.dumps(embed["fields"])
    assert_inert(embed)
