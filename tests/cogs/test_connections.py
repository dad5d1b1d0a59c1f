"""`/check` end to end: the real bot, logged into the fake Discord, checking the fake services."""

from __future__ import annotations

import json

import asyncpg
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.services.catalog import SERVICES
from bot.status import Status
from cogs.access import REFUSAL
from cogs.ui.embeds import STATUS_COLOURS
from tests.fakes.services import NO_ANIDB, closed_port
from tests.fakes.services.answers import JELLYFIN_API_KEY, MDBLIST_API_KEY, OMDB_API_KEY, TMDB_V3_KEY
from tests.support.embeds import fields


async def run_check(fake_discord, *names: str, user=None) -> dict:
    record = await fake_discord.slash("check", *names, user=user or fake_discord.admin_user)
    await record.wait_done(timeout=15)
    assert record.ack_latency < 3
    assert len(record.original.embeds) == 1
    return record.original.embeds[0]


def colour(status: Status) -> int:
    return STATUS_COLOURS[status].value


async def test_check_all_answers_with_one_field_per_service(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment())
    embed = await run_check(fake_discord, "all")
    assert [field["name"] for field in embed["fields"]] == [service.name for service in SERVICES]
    assert embed["color"] == colour(Status.OK)
    jellyfin = fields(embed)["Jellyfin"]
    assert "OK" in jellyfin and " ms" in jellyfin and "10.9.11" in jellyfin
    assert "requests left today" in fields(embed)["MDBList"]


async def test_check_all_is_coloured_by_the_worst_status(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment(**NO_ANIDB))
    fakes.tmdb.set_mode("quota")
    assert (await run_check(fake_discord, "all"))["color"] == colour(Status.DEGRADED)
    fakes.omdb.set_mode("bad_key")
    embed = await run_check(fake_discord, "all")
    assert embed["color"] == colour(Status.FAILED)
    assert "Not configured" in fields(embed)["AniDB"]


async def test_unconfigured_services_are_grey_not_red(start_bot, fake_discord):
    await start_bot()
    embed = await run_check(fake_discord, "all")
    assert embed["color"] == colour(Status.NOT_CONFIGURED)
    assert all("Not configured" in field["value"] for field in embed["fields"])


async def test_checks_run_concurrently(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment(**NO_ANIDB))
    for key in ("jellyfin", "omdb", "tmdb", "mdblist"):
        fakes[key].set_mode("ok")
        fakes[key].delay = 0.5
    await run_check(fake_discord, "all")
    # Each fake answers after 0.5 s: one after another, their first requests would start ≥ 1.5 s apart.
    starts = [fakes[key].requests[0].started for key in ("jellyfin", "omdb", "tmdb", "mdblist")]
    assert max(starts) - min(starts) < 0.4


EXPECTED_DETAIL = {
    "bad_key": (Status.FAILED, "401"),
    "quota": (Status.DEGRADED, ""),
    "server_error": (Status.FAILED, "5"),
    "garbage": (Status.FAILED, ""),
}


@pytest.mark.parametrize("service", ["jellyfin", "omdb", "tmdb", "mdblist"])
async def test_each_service_reports_every_failure_mode(start_bot, fake_discord, fakes, service):
    await start_bot(**fakes.environment(**NO_ANIDB))
    seen = {}
    for mode, (status, _) in EXPECTED_DETAIL.items():
        fakes[service].set_mode(mode)
        embed = await run_check(fake_discord, service)
        assert embed["color"] == colour(status), (mode, embed)
        seen[mode] = embed["description"]
    assert len(set(seen.values())) == len(seen), "each failure mode has its own words"
    fakes[service].set_mode("slow", delay=1.2)
    embed = await run_check(fake_discord, service)
    assert embed["color"] == colour(Status.DEGRADED)
    assert "slow" in embed["description"].lower()


async def test_network_failures_are_explained(start_bot, fake_discord, fakes):
    await start_bot(
        **fakes.environment(
            JELLYFIN_URL=f"http://127.0.0.1:{closed_port()}",
            OMDB_URL="http://no-such-host.invalid/",
            TMDB_URL=fakes.tmdb.url.replace("http://", "https://"),
            **NO_ANIDB,
        )
    )
    refused = await run_check(fake_discord, "jellyfin")
    dns = await run_check(fake_discord, "omdb")
    tls = await run_check(fake_discord, "tmdb")
    for embed in (refused, dns, tls):
        assert embed["color"] == colour(Status.FAILED)
    assert "listening" in refused["description"] or "refused" in refused["description"]
    assert "resolve" in dns["description"]
    assert "TLS" in tls["description"]


async def test_timeout_names_the_limit(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment(HTTP_TIMEOUT_SECONDS="1", **NO_ANIDB))
    fakes.mdblist.set_mode("slow", delay=2.5)
    embed = await run_check(fake_discord, "mdblist")
    assert embed["color"] == colour(Status.FAILED)
    assert "1 s" in embed["description"]


async def test_anidb_ban_is_reported_and_respected(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment())
    fakes.anidb.set_mode("banned")
    first = await run_check(fake_discord, "anidb")
    assert first["color"] == colour(Status.FAILED)
    assert "banned" in first["description"].lower()
    fakes.anidb.set_mode("ok")
    again = await run_check(fake_discord, "anidb")
    assert "banned" in again["description"].lower()
    assert fakes.anidb.request_count == 1


async def test_detailed_view_names_the_credential_source(start_bot, fake_discord, fakes, aphrodite_db):
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        await connection.execute(
            "INSERT INTO system_config (key, value) VALUES ('settings.yaml', $1)",
            json.dumps(fakes.aphrodite_saved_settings()),
        )
    finally:
        await connection.close()
    await start_bot(DATABASE_URL=aphrodite_db.dsn, OMDB_URL=fakes.omdb.url, OMDB_API_KEY=OMDB_API_KEY)
    jellyfin = await run_check(fake_discord, "jellyfin")
    omdb = await run_check(fake_discord, "omdb")
    fields = {field["name"]: field["value"] for field in jellyfin["fields"]}
    assert fields["Credentials from"] == "Aphrodite settings (system_config)"
    assert jellyfin["color"] == colour(Status.OK)
    assert {f["name"]: f["value"] for f in omdb["fields"]}["Credentials from"] == "environment"


async def test_no_secret_reaches_discord(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment(**NO_ANIDB))
    for mode in ("ok", "bad_key", "garbage"):
        for key in ("jellyfin", "omdb", "tmdb", "mdblist"):
            fakes[key].set_mode(mode)
        await run_check(fake_discord, "all")
    sent = fake_discord.all_sent_text()
    for secret in (JELLYFIN_API_KEY, OMDB_API_KEY, TMDB_V3_KEY, MDBLIST_API_KEY):
        assert secret not in sent


async def test_members_without_an_admin_role_are_refused(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment(**NO_ANIDB))
    record = await fake_discord.slash("check", "all", user=fake_discord.stranger_user)
    await record.wait_done(timeout=10)
    assert record.ephemeral
    assert record.original.content == REFUSAL
    assert fakes.omdb.request_count == 0


async def test_administrator_permission_is_enough(start_bot, fake_discord, fakes):
    await start_bot(**fakes.environment(**NO_ANIDB))
    embed = await run_check(fake_discord, "omdb", user=fake_discord.owner_user)
    assert embed["color"] == colour(Status.OK)


class _Broken(commands.Cog):
    @app_commands.command(name="broken", description="always fails")
    async def broken(self, interaction) -> None:
        raise RuntimeError("internal detail that must stay in the log")


async def test_unexpected_error_gives_an_id_and_keeps_the_traceback_out_of_discord(
    start_bot, fake_discord, caplog
):
    bot = await start_bot()
    await bot.add_cog(_Broken())
    guild = discord.Object(id=fake_discord.guild_id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    record = await fake_discord.slash("broken", user=fake_discord.admin_user)
    await record.wait_done(timeout=10)
    assert record.ephemeral
    assert "error id" in record.original.content
    assert "internal detail" not in fake_discord.all_sent_text()
    assert "internal detail" in caplog.text


async def test_unreadable_saved_credentials_are_red_not_grey(start_bot, fake_discord):
    await start_bot(DATABASE_URL=f"postgresql://aphrodite:secret-pw@127.0.0.1:{closed_port()}/aphrodite")

    embed = await run_check(fake_discord, "all")

    assert embed["color"] == colour(Status.FAILED)
    assert all("Credentials could not be read" in field["value"] for field in embed["fields"])
    assert "secret-pw" not in fake_discord.all_sent_text()


async def test_check_has_one_subcommand_per_catalog_service_described_by_it(start_bot, fake_discord):
    await start_bot()
    (check,) = [command for command in fake_discord.commands if command["name"] == "check"]
    subcommands = {option["name"]: option["description"] for option in check["options"]}
    assert subcommands == {
        "all": "Test every service at once",
        **{service.key: service.description for service in SERVICES},
    }
