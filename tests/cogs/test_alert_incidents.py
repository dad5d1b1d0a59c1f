"""Incident alerts end to end: the buttons (acknowledge, silence, re-check), a restart, escalation, grouping.

The real bot against the fake Discord and the fake services; rounds are driven by hand.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from cogs.access import REFUSAL
from tests.cogs.conftest import StartAlertBot
from tests.fakes.discord import FakeDiscord, FakeUser, InteractionRecord, MessageRecord
from tests.fakes.services import FakeServices
from tests.support.alert_channel import HOUR, alert_environment, alert_posts, alerts, rounds, titles
from tests.support.discord_bot import running_bot
from tests.support.embeds import fields


def buttons(message: MessageRecord) -> dict[str, tuple[str, bool]]:
    """label → (custom_id, disabled)."""
    return {label or "": (custom_id or "", disabled) for custom_id, label, disabled in message.buttons()}


async def press(
    fake_discord: FakeDiscord, message: MessageRecord, label: str, user: FakeUser
) -> InteractionRecord:
    custom_id, _ = buttons(message)[label]
    record = await fake_discord.click(message, custom_id, user=user)
    return await record.wait_done()


async def test_an_incident_alert_carries_acknowledge_silence_and_recheck(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    assert set(buttons(alert)) == {"Acknowledge", "Silence 1 h", "Re-check"}
    assert all(len(custom_id) <= 100 for custom_id, _ in buttons(alert).values())


async def test_acknowledge_says_who_and_stops_reminders_and_the_recovery_names_them(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot(ALERT_REMINDER_HOURS="0.0001")  # a reminder is due every 0.36 s
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    click = await press(fake_discord, alert, "Acknowledge", fake_discord.admin_user)
    assert click.callback_type == 6 and click.ack_latency is not None and click.ack_latency < 3
    edited = fake_discord.message(alert.id)
    assert "acknowledged by alice" in json.dumps(edited.embeds[0])
    assert buttons(edited)["Acknowledged"][1]  # disabled: nothing left to take
    assert edited.content == alert.content  # the mention is not repeated
    await asyncio.sleep(0.5)
    await rounds(bot, 2)
    assert titles(fake_discord) == ["🔴 TMDB is down"]  # no reminder
    fakes.tmdb.set_mode("ok")
    await rounds(bot, 1)
    recovered = alerts(fake_discord)[-1]
    assert recovered.embeds[0]["title"] == "🟢 TMDB recovered"
    assert fields(recovered.embeds[0])["Acknowledged by"] == "alice"
    resolved = fake_discord.message(alert.id)
    assert resolved.embeds[0]["description"].startswith("✅ **Resolved** ") and resolved.buttons() == []
    assert resolved.embeds[0]["title"] == "🔴 TMDB is down" and resolved.embeds[0]["color"] == 0x2ECC71


async def test_a_strangers_click_changes_nothing_and_says_why(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    before = json.dumps(alert.embeds)
    for label in ("Acknowledge", "Silence 1 h", "Re-check"):
        refused = await press(fake_discord, alert, label, fake_discord.stranger_user)
        assert refused.ephemeral and refused.original is not None and refused.original.content == REFUSAL
    assert json.dumps(fake_discord.message(alert.id).embeds) == before
    [incident] = bot.monitor.engine.state.open_incidents()
    assert incident.acknowledged_by is None and bot.monitor.engine.state.silences == {}


async def test_the_buttons_work_after_a_restart(
    fake_discord: FakeDiscord, tmp_path: Path, fakes: FakeServices
) -> None:
    env = alert_environment(fake_discord, tmp_path, fakes)
    fakes.omdb.set_mode("bad_key")
    async with running_bot(fake_discord, env, monitor_interval=HOUR) as bot:
        await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    async with running_bot(fake_discord, env, monitor_interval=HOUR) as bot:
        await press(fake_discord, alert, "Acknowledge", fake_discord.other_admin_user)
        assert "acknowledged by bob" in json.dumps(fake_discord.message(alert.id).embeds[0])
        [incident] = (await bot.monitor.store.load_engine()).open_incidents()  # saved, not only in memory
        assert incident.acknowledged_by == "bob"


async def test_silence_mutes_only_that_target_for_an_hour_and_shows_in_status(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot(ALERT_REMINDER_HOURS="0.0001")
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    await press(fake_discord, alert, "Silence 1 h", fake_discord.admin_user)
    assert "TMDB silenced by alice until" in json.dumps(fake_discord.message(alert.id).embeds[0])
    fakes.omdb.set_mode("bad_key")
    await asyncio.sleep(0.5)
    await rounds(bot, 2)
    posted = titles(fake_discord)
    assert posted[1] == "🔴 OMDb is down"
    assert not any(title.startswith("🔴 TMDB") for title in posted[1:])  # no TMDB reminder
    status = await fake_discord.slash("alerts", "status", user=fake_discord.admin_user)
    await status.wait_done()
    assert status.original is not None
    shown = fields(status.original.embeds[0])
    assert "🔕 Silenced by alice until" in shown["🔴 TMDB"] and "Silenced" not in shown["🔴 OMDb"]


async def test_recheck_runs_the_targets_check_now_and_answers_privately(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    fakes.tmdb.set_mode("ok")
    asked, other = fakes.tmdb.request_count, fakes.omdb.request_count
    answer = await press(fake_discord, alert, "Re-check", fake_discord.admin_user)
    assert answer.ephemeral and answer.original is not None
    embed = answer.original.embeds[0]
    assert embed["title"] == "🔁 Re-checked now" and list(fields(embed)) == ["🟢 TMDB"]
    assert fakes.tmdb.request_count == asked + 1 and fakes.omdb.request_count == other
    assert len(alerts(fake_discord)) == 1  # the rounds, not the re-check, close the incident


async def test_an_incident_nobody_acknowledges_mentions_the_escalation_role_once(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    escalation_role = fake_discord.owner_role_id
    bot = await alert_bot(ALERT_ESCALATE_MINUTES="0.01", ALERT_ESCALATION_ROLE_ID=str(escalation_role))
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    await asyncio.sleep(0.7)
    await rounds(bot, 1)
    _, escalation = alerts(fake_discord)
    assert escalation.content == f"<@&{escalation_role}>"
    assert "nobody acknowledged" in escalation.embeds[0]["title"]
    mentions = alert_posts(fake_discord)[1]["allowed_mentions"]
    assert [str(role) for role in mentions["roles"]] == [str(escalation_role)]
    assert set(buttons(escalation)) == {"Acknowledge", "Silence 1 h", "Re-check"}
    await asyncio.sleep(0.7)
    await rounds(bot, 2)
    assert len(alerts(fake_discord)) == 2  # once


async def test_an_acknowledged_incident_is_not_escalated(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot(
        ALERT_ESCALATE_MINUTES="0.01", ALERT_ESCALATION_ROLE_ID=str(fake_discord.owner_role_id)
    )
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    await press(fake_discord, alert, "Acknowledge", fake_discord.admin_user)
    await asyncio.sleep(0.7)
    await rounds(bot, 2)
    assert len(alerts(fake_discord)) == 1


async def test_every_service_failing_in_one_round_is_one_network_alert_resolved_when_all_recover(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.jellyfin.set_mode("server_error")
    for service in ("omdb", "tmdb", "mdblist"):
        fakes[service].set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    embed = alert.embeds[0]
    assert embed["title"] == "🔴 Network: every external service is down"
    assert alert.content == f"<@&{fake_discord.admin_role_id}>"
    assert [name for name in fields(embed)] == [
        "🔴 Jellyfin is down",
        "🔴 OMDb is down",
        "🔴 TMDB is down",
        "🔴 MDBList is down",
    ]
    await press(fake_discord, alert, "Acknowledge", fake_discord.admin_user)
    taken = [incident.acknowledged_by for incident in bot.monitor.engine.state.open_incidents()]
    assert taken == ["alice"] * 4
    for service in ("jellyfin", "omdb", "tmdb"):
        fakes[service].set_mode("ok")
    await rounds(bot, 1)
    assert titles(fake_discord) == ["🔴 Network: every external service is down", "🟢 3 targets recovered"]
    assert "Re-check" in buttons(fake_discord.message(alert.id))  # MDBList is still down
    fakes.mdblist.set_mode("ok")
    await rounds(bot, 1)
    assert titles(fake_discord)[-1] == "🟢 MDBList recovered"
    resolved = fake_discord.message(alert.id)
    assert resolved.embeds[0]["description"].startswith("✅ **Resolved** ") and resolved.buttons() == []


async def test_acknowledgements_and_silences_are_in_the_audit_trail(
    alert_bot: StartAlertBot, fake_discord: FakeDiscord, fakes: FakeServices
) -> None:
    bot = await alert_bot()
    fakes.tmdb.set_mode("bad_key")
    await rounds(bot, 2)
    [alert] = alerts(fake_discord)
    await press(fake_discord, alert, "Acknowledge", fake_discord.admin_user)
    await press(fake_discord, alert, "Silence 1 h", fake_discord.admin_user)

    listing = await fake_discord.slash("audit", user=fake_discord.admin_user)
    await listing.wait_done(timeout=10)

    assert listing.original is not None
    lines = listing.original.embeds[0]["description"].splitlines()
    assert "**alice** (Discord) · incident silence tmdb for 1 h · ✅ ok" in lines[0]
    assert "**alice** (Discord) · incident ack tmdb · ✅ ok" in lines[1]
