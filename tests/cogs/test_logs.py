"""`/logs` end to end: the real bot, logged into the fake Discord, reading a log in tmp_path."""

from __future__ import annotations

import gzip
import random
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from bot.logs import NoLog
from bot.status import Status
from cogs.log_views import CANCELLED
from cogs.ui.embeds import STATUS_COLOURS
from tests.fakes.discord import FakeDiscord
from tests.logs.conftest import SAVED_KEYS, leaking_entries, save_aphrodite_settings, saved_settings
from tests.logs.generate import START, entry, generate, write_log
from tests.support.discord_bot import bot_environment, running_bot

OMDB_KEY = "omdb-secret-9d8c7b6a"
DB_PASSWORD = "hunter2-pg-pass"
TRACEBACK = (
    "Traceback (most recent call last):",
    '  File "/app/app/services/tmdb.py", line 88, in fetch_details',
    "asyncio.exceptions.TimeoutError",
)


def planted(when_offset: int = 0) -> list:
    """A small log: infos, a warning, an error with a traceback, and lines that leak secrets."""
    at = START + timedelta(seconds=when_offset)
    return [
        entry("aphrodite", at, "INFO", "app.main", "Aphrodite started"),
        entry(
            "aphrodite",
            at,
            "INFO",
            "app.services.omdb",
            f"GET https://www.omdbapi.com/?apikey={OMDB_KEY}&i=tt1",
        ),
        entry("aphrodite", at, "WARNING", "app.services.mdblist", "MDBList quota low: 5 requests left today"),
        entry("aphrodite", at, "ERROR", "app.services.tmdb", "TMDB lookup failed for movie 42", TRACEBACK),
        entry(
            "aphrodite",
            at,
            "INFO",
            "app.core.database",
            f"Connecting to postgresql://aph:{DB_PASSWORD}@db:5432/x",
        ),
        entry("aphrodite", at, "INFO", "app.services.omdb", "key check apikey=abcdef123456 done"),
    ]


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "aphrodite-v2.log"


async def slash(fake: FakeDiscord, sub: str, user=None, **options):
    record = await fake.slash("logs", sub, user=user or fake.admin_user, options=options)
    await record.wait_done(timeout=10)
    return record


def code_of(embed: dict) -> str:
    description = embed["description"]
    return description[description.index("```") :]


async def test_view_filters_by_level_and_search_and_keeps_tracebacks(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot(OMDB_API_KEY=OMDB_KEY)
    record = await slash(fake_discord, "view", level="ERROR")
    embed = record.original.embeds[0]
    code = code_of(embed)
    assert "TMDB lookup failed" in code and "Aphrodite started" not in code
    header_at = code.index("TMDB lookup failed")
    assert header_at < code.index("Traceback (most recent") < code.index("asyncio.exceptions.TimeoutError")
    assert embed["color"] == STATUS_COLOURS[Status.FAILED].value
    assert "total lines" in embed["description"]

    record = await slash(fake_discord, "view", search="quota")
    embed = record.original.embeds[0]
    assert "MDBList quota low" in embed["description"] and "TMDB" not in code_of(embed)
    assert embed["color"] == STATUS_COLOURS[Status.DEGRADED].value


async def test_pages_flip_newest_first_and_refresh_picks_up_new_lines(start_bot, fake_discord, log_file):
    write_log(log_file, generate(400, seed=3, traceback_share=0.5))
    await start_bot()
    record = await slash(fake_discord, "view", lines=400)
    message = record.original
    first = message.embeds[0]
    assert "Page 1/" in first["footer"]["text"]
    buttons = {custom_id: disabled for custom_id, _, disabled in message.buttons()}
    assert buttons["page:previous"] and not buttons["page:next"]

    await (await fake_discord.click(message, "page:next", user=fake_discord.admin_user)).wait_done()
    assert "Page 2/" in message.embeds[0]["footer"]["text"]
    assert message.embeds[0]["description"] != first["description"]
    await (await fake_discord.click(message, "page:previous", user=fake_discord.admin_user)).wait_done()
    assert message.embeds[0]["description"] == first["description"]

    write_log(
        log_file,
        [entry("aphrodite", START + timedelta(days=1), "INFO", "app.main", "freshly appended")],
        mode="ab",
    )
    await (await fake_discord.click(message, "page:next", user=fake_discord.admin_user)).wait_done()
    refresh = await fake_discord.click(message, "logs:refresh", user=fake_discord.admin_user)
    await refresh.wait_done()
    assert "Page 1/" in message.embeds[0]["footer"]["text"]
    assert "freshly appended" in code_of(message.embeds[0]).split("\n")[1]  # newest on top


async def test_copy_sends_the_page_as_plain_text(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot(OMDB_API_KEY=OMDB_KEY)
    record = await slash(fake_discord, "view", level="ERROR")
    copy = await fake_discord.click(record.original, "logs:copy", user=fake_discord.admin_user)
    await copy.wait_done()
    assert copy.ephemeral
    content = copy.original.content
    assert content.startswith("```\n") and len(content) <= 2000
    assert "[ERROR] app.services.tmdb:42: TMDB lookup failed" in content
    assert "\nTraceback (most recent call last):" in content  # as the file has it, no markers


async def test_download_button_attaches_the_filtered_log(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot(OMDB_API_KEY=OMDB_KEY)
    record = await slash(fake_discord, "view", level="WARNING")
    click = await fake_discord.click(record.original, "logs:download", user=fake_discord.admin_user)
    await click.wait_done()
    [(filename, data)] = click.original.attachments
    assert filename.endswith(".log")
    assert data.decode().strip().splitlines() == [planted()[2].text]


async def test_no_secret_reaches_discord(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot(OMDB_API_KEY=OMDB_KEY)
    record = await slash(fake_discord, "view")
    await (await fake_discord.click(record.original, "logs:copy", user=fake_discord.admin_user)).wait_done()
    await slash(fake_discord, "download")
    await slash(fake_discord, "view", search=f"{OMDB_KEY}")
    sent = fake_discord.all_sent_text()
    for secret in (OMDB_KEY, DB_PASSWORD, "abcdef123456"):
        assert secret not in sent
    assert "Aphrodite started" in sent


async def test_invalid_regex_is_an_ephemeral_error(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot()
    record = await slash(fake_discord, "view", search="re:(")
    assert record.ephemeral
    assert record.original.content.startswith("❌")


async def test_missing_and_empty_log_say_so_with_the_path(start_bot, fake_discord, log_file):
    await start_bot()
    for sub in ("view", "status"):
        embed = (await slash(fake_discord, sub)).original.embeds[0]
        assert NoLog.MESSAGE in embed["description"] and str(log_file) in embed["description"]
    log_file.write_bytes(b"")
    embed = (await slash(fake_discord, "status")).original.embeds[0]
    assert NoLog.MESSAGE in embed["description"]


async def test_status_shows_size_lines_and_rotated_files(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    log_file.with_name(log_file.name + ".1").write_bytes(b"x" * 2048)
    await start_bot()
    embed = (await slash(fake_discord, "status")).original.embeds[0]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Lines"] == "9"
    assert "aphrodite-v2.log.1" in fields["Rotated files"] and "2.0 KiB" in fields["Rotated files"]
    assert "<t:" in fields["Last modified"]


async def test_clear_confirmed_archives_then_truncates(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    before = log_file.read_bytes()
    await start_bot()
    record = await slash(fake_discord, "clear")
    confirm = await fake_discord.click(record.original, "confirm", user=fake_discord.admin_user)
    await confirm.wait_done()
    assert log_file.read_bytes() == b""
    [archive] = log_file.parent.glob("aphrodite-v2.log.*.gz")
    assert gzip.decompress(archive.read_bytes()) == before
    text = record.original.all_text()
    assert "Log cleared" in text and archive.name in text


async def test_clear_cancelled_or_pressed_by_someone_else_changes_nothing(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    before = log_file.read_bytes()
    await start_bot()
    record = await slash(fake_discord, "clear")
    intruder = await fake_discord.click(record.original, "confirm", user=fake_discord.other_admin_user)
    await intruder.wait_done()
    assert intruder.ephemeral and "Only the member" in intruder.original.content
    assert log_file.read_bytes() == before
    cancel = await fake_discord.click(record.original, "cancel", user=fake_discord.admin_user)
    await cancel.wait_done()
    assert CANCELLED in record.original.content
    assert log_file.read_bytes() == before
    assert not list(log_file.parent.glob("*.gz"))


async def test_a_clear_that_fails_says_so_in_the_message_and_why_privately(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot()
    record = await slash(fake_discord, "clear")
    log_file.unlink()  # gone between the question and the answer
    await fake_discord.click(record.original, "confirm", user=fake_discord.admin_user)
    await record.wait_for(lambda r: any(m.ephemeral for m in r.followups), timeout=10)
    assert record.original.content == "❌ The log was not cleared." and not record.original.embeds
    (reason,) = [m for m in record.followups if m.ephemeral]
    assert "There is no log file" in reason.content
    assert not list(log_file.parent.glob("*.gz"))


@pytest.fixture
async def small_discord() -> FakeDiscord:
    fake = FakeDiscord(attachment_size_limit=16 * 1024)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
    fake.assert_no_violations()


async def test_download_is_gzipped_when_over_the_upload_limit(small_discord, tmp_path, log_file):
    write_log(log_file, generate(1500, seed=5))
    assert log_file.stat().st_size > 16 * 1024
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(running_bot(small_discord, bot_environment(small_discord, tmp_path)))
        record = await slash(small_discord, "download", level="ALL")
    [(filename, data)] = record.original.attachments
    assert filename.endswith(".gz") and len(data) <= 16 * 1024
    assert "zipped" in record.original.content.lower()
    assert gzip.decompress(data).startswith(b"2026-11-28")


async def test_a_huge_entry_is_cut_to_fit_and_clear_works_from_the_view(start_bot, fake_discord, log_file):
    huge = [f"  frame {n}: " + "x" * 150 for n in range(200)]
    write_log(
        log_file, [*planted(), entry("aphrodite", START, "CRITICAL", "app.main", "Worker crashed", huge)]
    )
    await start_bot()
    record = await slash(fake_discord, "view")
    embed = record.original.embeds[0]
    assert len(embed["description"]) <= 4096 and code_of(embed).endswith("```")
    assert "Worker crashed" in embed["description"]
    assert embed["color"] == STATUS_COLOURS[Status.FAILED].value
    clear = await fake_discord.click(record.original, "logs:clear", user=fake_discord.admin_user)
    await clear.wait_done()
    confirm = await fake_discord.click(clear.original, "confirm", user=fake_discord.admin_user)
    await confirm.wait_done()
    assert log_file.read_bytes() == b""
    assert "Log cleared" in clear.original.all_text()


# --- The audit's items through the fake Discord ------------------------------------------------------


async def test_keys_saved_only_in_aphrodites_database_never_reach_discord(
    start_bot, fake_discord, log_file, aphrodite_db
):
    await save_aphrodite_settings(aphrodite_db.dsn, saved_settings())
    write_log(log_file, [*planted(), *leaking_entries()])
    await start_bot(DATABASE_URL=aphrodite_db.dsn)
    record = await slash(fake_discord, "view")
    await (await fake_discord.click(record.original, "logs:copy", user=fake_discord.admin_user)).wait_done()
    click = await fake_discord.click(record.original, "logs:download", user=fake_discord.admin_user)
    await click.wait_done()
    download = await slash(fake_discord, "download", search="refused")
    sent = fake_discord.all_sent_text()
    assert "TMDB refused ***" in code_of(record.original.embeds[0])
    assert "AniDB login aphro/***" in click.original.all_text()
    assert "TMDB refused ***" in download.original.all_text()
    for key in SAVED_KEYS.values():
        assert key not in sent


async def test_a_view_cannot_tell_a_masked_keys_characters(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    await start_bot(OMDB_API_KEY=OMDB_KEY)
    shown = []
    for guess in (OMDB_KEY[0], "x"):
        record = await slash(fake_discord, "view", search=f"re:apikey={guess}|apikey=\\*")
        shown.append(code_of(record.original.embeds[0]))
    assert shown[0] == shown[1]
    assert "apikey=***&i=tt1" in shown[0] and "apikey=***" in shown[0]


async def test_a_line_over_16_mib_is_viewed_cut_without_stalling(start_bot, fake_discord, log_file):
    write_log(log_file, planted())
    with log_file.open("ab") as out:
        out.write(b"2026-11-28 00:00:09 [WARNING] app.x:1: " + b"q" * (17 * 1024 * 1024) + b"\n")
        out.write(b"2026-11-28 00:00:10 [INFO] app.main:1: still here\n")
    await start_bot()
    record = await slash(fake_discord, "view")
    code = code_of(record.original.embeds[0])
    assert "still here" in code and "[line truncated, 17,825,832 bytes]" in code


async def test_hostile_searches_stop_at_the_budget_and_never_delay_other_commands(
    start_bot, fake_discord, log_file
):
    line = bytes(random.Random(4).choice(b"ab ") for _ in range(60_000))
    with log_file.open("wb") as out:
        for _ in range(400):
            out.write(b"2026-11-28 22:59:00 [ERROR] app.x:1: " + line + b"\n")
    await start_bot(LOG_SEARCH_TIMEOUT_SECONDS="1")
    hostile = {"search": "re:(.*a){20}"}
    # As many as are let in (two run, four wait), as many as asyncio's default pool has threads here,
    # and one more, which is refused.
    searches = [
        await fake_discord.slash("logs", sub, user=fake_discord.admin_user, options=hostile)
        for sub in ("view", "download") * 3 + ("view",)
    ]
    await searches[0].wait_acknowledged()
    backups = await fake_discord.slash("backup", "list", user=fake_discord.admin_user)
    await backups.wait_done(timeout=10)
    assert backups.ack_latency is not None and backups.ack_latency < 3
    for search in searches:
        await search.wait_done(timeout=30)
        assert search.ack_latency is not None and search.ack_latency < 3
    answers = [search.original.all_text() for search in searches]
    assert sum("already running or waiting" in answer for answer in answers) == 1
    assert "Stopped after 1 s (LOG_SEARCH_TIMEOUT_SECONDS)" in answers[0]
    assert any("Stopped at the time limit" in answer for answer in answers[1::2])
