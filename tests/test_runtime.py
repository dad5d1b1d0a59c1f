"""The Runtime's one redactor: shared by the bot's own log and every adapter, taught every saved key."""

from __future__ import annotations

import logging

from bot.config import Secret, Settings
from bot.logging_setup import RedactingFormatter
from bot.logs import LogQuery
from bot.redact import MASK
from bot.runtime import Runtime, process_redactor
from tests.fakes.services import closed_port
from tests.logs.conftest import SAVED_KEYS, leaking_entries, save_aphrodite_settings, saved_settings
from tests.logs.generate import write_log


def record_saying(text: str) -> logging.LogRecord:
    return logging.LogRecord("aphrodite_ops", logging.WARNING, __file__, 1, text, None, None)


def test_the_process_redactor_knows_every_configured_secret():
    redactor = process_redactor(Settings(omdb_api_key=Secret("omdb-k3y-4f9a")))

    assert redactor("OMDb rejected omdb-k3y-4f9a") == f"OMDb rejected {MASK}"


def test_without_settings_the_process_redactor_still_masks_what_looks_like_a_credential():
    shown = process_redactor(None)("cannot reach postgresql://aph:pw-hunter2@db/aphrodite")

    assert "pw-hunter2" not in shown and MASK in shown


async def test_a_key_a_check_reads_from_aphrodites_database_is_masked_in_the_bots_own_log(
    aphrodite_db, tmp_path
):
    await save_aphrodite_settings(aphrodite_db.dsn, saved_settings())
    settings = Settings(
        database_url=Secret(aphrodite_db.dsn),
        data_dir=tmp_path,
        omdb_url=f"http://127.0.0.1:{closed_port()}/",
        http_timeout_seconds=2,
    )
    redactor = process_redactor(settings)  # as the launcher builds it, before logging starts
    own_log = RedactingFormatter(redactor)
    async with Runtime.open(settings, redactor) as runtime:
        assert runtime.redactor is redactor
        await runtime.checks.check("omdb")
        assert SAVED_KEYS["OMDB"] not in own_log.format(record_saying(f"retrying {SAVED_KEYS['OMDB']}"))


async def test_the_log_reads_the_saved_keys_before_it_shows_anything(aphrodite_db, tmp_path):
    await save_aphrodite_settings(aphrodite_db.dsn, saved_settings())
    log_file = tmp_path / "aphrodite-v2.log"
    write_log(log_file, leaking_entries())
    settings = Settings(database_url=Secret(aphrodite_db.dsn), data_dir=tmp_path, aphrodite_log_file=log_file)
    async with Runtime.open(settings) as runtime:
        view = await runtime.log.view(LogQuery.parse())
        own_log = RedactingFormatter(runtime.redactor).format(record_saying(" ".join(SAVED_KEYS.values())))
    shown = "\n".join(entry.text for entry in view.entries)
    assert view.notes == ()
    assert "TMDB refused ***" in shown
    for key in SAVED_KEYS.values():
        assert key not in shown and key not in own_log


async def test_database_messages_use_the_runtimes_redactor(tmp_path):
    settings = Settings(
        database_url=Secret(f"postgresql://aph:pw-77x@127.0.0.1:{closed_port()}/a"), data_dir=tmp_path
    )
    async with Runtime.open(settings) as runtime:
        runtime.redactor.learn(["saved-key-abc"])
        assert runtime.database.redactor is runtime.redactor
        assert runtime.database.redactor("pw-77x saved-key-abc") == "*** ***"


async def test_a_runtime_opens_only_what_a_command_uses(tmp_path):
    settings = Settings(data_dir=tmp_path, aphrodite_log_file=tmp_path / "aphrodite-v2.log")
    async with Runtime.open(settings) as runtime:
        await runtime.log.status()
        assert runtime.opened("log") and runtime.opened("state")  # the log's line totals are kept there
        assert not any(runtime.opened(name) for name in ("http", "database", "history"))


async def test_closing_a_runtime_closes_everything_it_opened(tmp_path):
    async with Runtime.open(Settings(data_dir=tmp_path)) as runtime:
        await runtime.checks.check("omdb")  # not configured: answered without a request
        session = runtime.http
        assert runtime.opened("database") and runtime.opened("state")
    assert session.closed
