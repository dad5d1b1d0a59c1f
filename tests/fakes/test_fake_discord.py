"""The fake Discord, specified through a real discord.py bot logged into it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.fakes.discord import FakeDiscord

TOKEN = "demo-token-NEVER-IN-BODIES-5b1e"
FRUITS = ("apple", "apricot", "banana", "cherry")


class ConfirmView(discord.ui.View):
    """A confirm button only the invoking user may press."""

    def __init__(self, author_id: int) -> None:
        super().__init__(timeout=30)
        self.author_id = author_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.author_id:
            await interaction.response.send_message("Not yours.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger, custom_id="demo:confirm")
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        button.disabled = True
        await interaction.response.edit_message(content="Confirmed.", view=self)
        self.stop()


class Demo(app_commands.Group):
    """One subcommand per behaviour the fake must handle."""

    def __init__(self, alert_channel_id: int) -> None:
        super().__init__(name="demo", description="Exercise the fake Discord")
        self.alert_channel_id = alert_channel_id

    @app_commands.command(description="Reply with the member's roles and permissions")
    async def hello(self, interaction: discord.Interaction) -> None:
        assert isinstance(interaction.user, discord.Member)
        roles = [role.id for role in interaction.user.roles if not role.is_default()]
        admin = interaction.permissions.administrator
        await interaction.response.send_message(f"hello {interaction.user.name} admin={admin} roles={roles}")

    @app_commands.command(description="Defer, then edit the reply")
    async def think(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.2)
        await interaction.edit_original_response(content="done thinking")

    @app_commands.command(description="Defer ephemerally, then follow up twice")
    async def report(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("part 1", ephemeral=True)
        await interaction.followup.send("part 2", ephemeral=True)

    @app_commands.command(description="Reply with a file of `size` bytes")
    async def file(self, interaction: discord.Interaction, size: int) -> None:
        data = (b"line of a report\n" * size)[:size]
        try:
            await interaction.response.send_message("here", file=discord.File(io.BytesIO(data), "report.txt"))
        except discord.HTTPException as error:
            limit = interaction.filesize_limit
            await interaction.response.send_message(f"rejected {error.status} {error.code} limit={limit}")

    @app_commands.command(description="Ask for confirmation")
    async def confirm(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Really?", view=ConfirmView(interaction.user.id))

    @app_commands.command(description="Pick a fruit")
    async def pick(self, interaction: discord.Interaction, name: str, count: int = 1) -> None:
        await interaction.response.send_message(f"{name} x{count} ({type(count).__name__})")

    @pick.autocomplete("name")
    async def pick_name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if current == "*":
            return [app_commands.Choice(name=f"fruit {i}", value=str(i)) for i in range(26)]
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

    @app_commands.command(description="Answer after the 3 s deadline")
    async def sleepy(self, interaction: discord.Interaction) -> None:
        await asyncio.sleep(3.5)
        await _send_or_report(interaction, "too late")

    @app_commands.command(description="Send an embed over Discord's limits")
    async def huge(self, interaction: discord.Interaction) -> None:
        await _send_or_report(interaction, embed=discord.Embed(title="big", description="x" * 5000))

    @app_commands.command(description="Post an alert to the alert channel")
    async def alert(self, interaction: discord.Interaction) -> None:
        channel = interaction.client.get_channel(self.alert_channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("disk almost full", embed=discord.Embed(title="Disk", description="92% used"))
        await interaction.response.send_message("alert posted", ephemeral=True)

    @app_commands.command(description="Never answer")
    async def silent(self, interaction: discord.Interaction) -> None:
        return None


async def _send_or_report(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Send; if Discord refuses, hand the error code to the test and, if still possible, say so."""
    bot = interaction.client
    assert isinstance(bot, DemoBot)
    try:
        await interaction.response.send_message(content, **kwargs)
    except discord.HTTPException as error:
        bot.refusals.put_nowait(error.code)
        if error.status != 404:
            await interaction.response.send_message(f"rejected {error.code}")


class DemoBot(commands.Bot):
    """A minimal bot syncing ``/demo`` to the fake guild and globally."""

    def __init__(self, fake: FakeDiscord) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            guild_ready_timeout=0.1,
        )
        self.fake_guild = discord.Object(fake.guild_id)
        self.alert_channel_id = fake.alert_channel_id
        self.refusals: asyncio.Queue[int] = asyncio.Queue()

    async def setup_hook(self) -> None:
        self.tree.add_command(Demo(self.alert_channel_id))
        self.tree.copy_global_to(guild=self.fake_guild)
        await self.tree.sync(guild=self.fake_guild)
        await self.tree.sync()


@pytest.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    """A started fake (``attachment_size_limit`` from indirect parametrization); no violations left over."""
    async with FakeDiscord(attachment_size_limit=getattr(request, "param", 10 * 1024 * 1024)) as fake:
        yield fake
    fake.assert_no_violations()


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[DemoBot]:
    """DemoBot logged into ``fake`` with its commands registered; closed and the globals restored after."""
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    bot = DemoBot(fake)
    task = asyncio.create_task(bot.start(TOKEN))
    try:
        await fake.wait_until_ready()
        await fake.wait_for_commands()
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, timeout=10)
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


@pytest.fixture
async def http(fake: FakeDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw client for requests discord.py would never make."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {TOKEN}"}) as session:
        yield session


async def test_bot_logs_in_over_the_gateway_and_registers_its_commands(
    fake: FakeDiscord, bot: DemoBot
) -> None:
    await asyncio.wait_for(bot.wait_until_ready(), timeout=5)

    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and guild.owner_id == fake.owner_user.id
    assert isinstance(guild.get_channel(fake.alert_channel_id), discord.TextChannel)
    assert bot.latency < 1, "heartbeats are acknowledged"
    assert fake.connected
    demo = [c for c in fake.commands if c["name"] == "demo"]
    assert [c.get("guild_id") for c in demo] == [str(fake.guild_id), None]
    subcommands = {o["name"] for o in demo[0]["options"]}
    assert {"hello", "think", "file", "confirm", "pick"} <= subcommands


async def test_dropped_gateway_connection_is_resumed(fake: FakeDiscord, bot: DemoBot) -> None:
    assert await fake.drop_gateway() is True

    rec = await (await fake.slash("demo", "hello", user=fake.admin_user)).wait_done()
    assert rec.callback_type == 4


async def test_reply_carries_the_member_roles_and_permissions(fake: FakeDiscord, bot: DemoBot) -> None:
    admin = await (await fake.slash("demo", "hello", user=fake.admin_user)).wait_done()
    owner = await (await fake.slash("demo", "hello", user=fake.owner_user)).wait_done()

    assert admin.callback_type == 4 and admin.ack_latency is not None and admin.ack_latency < 3
    assert not admin.ephemeral
    assert admin.original is not None
    assert admin.original.content == f"hello alice admin=False roles=[{fake.admin_role_id}]"
    assert owner.original is not None
    assert owner.original.content == f"hello olivia admin=True roles=[{fake.owner_role_id}]"


async def test_deferred_reply_thinks_until_the_edit_arrives(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await fake.slash("demo", "think", user=fake.admin_user)

    await rec.wait_acknowledged()
    assert rec.callback_type == 5 and rec.original is not None and rec.original.loading
    await rec.wait_done()
    assert not rec.original.loading and rec.original.content == "done thinking"
    assert [entry.action for entry in rec.history] == ["callback", "edit @original"]


async def test_first_followup_replaces_the_thinking_message(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await fake.slash("demo", "report", user=fake.admin_user)

    await rec.wait_for(lambda r: len(r.followups) == 2)
    assert rec.followups[0] is rec.original
    assert [m.content for m in rec.followups] == ["part 1", "part 2"]
    assert all(m.ephemeral and not m.loading for m in rec.followups)


async def test_file_reply_keeps_name_and_bytes(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await (await fake.slash("demo", "file", user=fake.admin_user, options={"size": 20})).wait_done()

    assert rec.original is not None
    assert rec.original.attachments == [("report.txt", b"line of a report\nlin")]
    assert "line of a report" in rec.original.all_text()


@pytest.mark.parametrize("fake", [1024], indirect=True)
async def test_file_over_the_attachment_limit_is_refused_with_413(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await (await fake.slash("demo", "file", user=fake.admin_user, options={"size": 2048})).wait_done()

    assert rec.original is not None and rec.original.content == "rejected 413 40005 limit=1024"
    assert [(v.status, v.code) for v in fake.violations] == [(413, 40005)]
    fake.violations.clear()


async def test_click_edits_the_message_the_command_sent(fake: FakeDiscord, bot: DemoBot) -> None:
    command = await (await fake.slash("demo", "confirm", user=fake.admin_user)).wait_done()
    message = command.original
    assert message is not None and message.buttons() == [("demo:confirm", "Confirm", False)]

    refused = await (await fake.click(message, "demo:confirm", user=fake.stranger_user)).wait_done()
    assert refused.original is not None and refused.original.content == "Not yours." and refused.ephemeral
    assert message.content == "Really?"

    click = await (await fake.click(message, "demo:confirm", user=fake.admin_user)).wait_done()
    assert click.callback_type == 7 and click.original is message
    assert message.content == "Confirmed."
    assert message.buttons() == [("demo:confirm", "Confirm", True)]
    with pytest.raises(ValueError, match="no enabled button"):
        await fake.click(message, "demo:confirm", user=fake.admin_user)


async def test_autocomplete_choices_and_typed_options(fake: FakeDiscord, bot: DemoBot) -> None:
    choices = await fake.autocomplete("demo", "pick", focused="name", value="ap", user=fake.admin_user)
    assert choices == [{"name": "apple", "value": "apple"}, {"name": "apricot", "value": "apricot"}]

    options = {"name": "apricot", "count": 3}
    rec = await (await fake.slash("demo", "pick", user=fake.admin_user, options=options)).wait_done()
    assert rec.original is not None and rec.original.content == "apricot x3 (int)"

    with pytest.raises(ValueError, match="has no 'colour'"):
        await fake.slash("demo", "pick", user=fake.admin_user, options={"name": "apple", "colour": "red"})
    with pytest.raises(ValueError, match="requires"):
        await fake.slash("demo", "pick", user=fake.admin_user)


async def test_more_than_25_autocomplete_choices_are_refused(fake: FakeDiscord, bot: DemoBot) -> None:
    with pytest.raises(AssertionError, match="no choices"):
        await fake.autocomplete("demo", "pick", focused="name", value="*", user=fake.admin_user)

    [violation] = fake.violations
    assert violation.details == ("data.choices: Must be 25 or fewer in length.",)
    fake.violations.clear()


async def test_answer_after_three_seconds_is_an_unknown_interaction(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await fake.slash("demo", "sleepy", user=fake.admin_user)

    await rec.wait_for(lambda r: r.history, timeout=5)
    assert rec.callback_type is None
    assert rec.history[0].status == 404 and rec.history[0].seconds_after_dispatch > 3
    assert await asyncio.wait_for(bot.refusals.get(), timeout=1) == 10062
    with pytest.raises(AssertionError, match="expired unanswered"):
        await rec.wait_acknowledged()
    with pytest.raises(AssertionError, match="Unknown interaction"):
        fake.assert_no_violations()
    fake.violations.clear()


async def test_embed_over_limits_is_refused_as_invalid_form_body(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await (await fake.slash("demo", "huge", user=fake.admin_user)).wait_done()

    assert rec.original is not None and rec.original.content == "rejected 50035"
    [violation] = fake.violations
    assert violation.code == 50035
    assert violation.details == ("data.embeds.0.description: Must be 4096 or fewer in length.",)
    fake.violations.clear()


async def test_channel_messages_are_recorded_and_awaitable(fake: FakeDiscord, bot: DemoBot) -> None:
    rec = await fake.slash("demo", "alert", user=fake.admin_user)

    alert = await fake.wait_for_channel_message(fake.alert_channel_id, lambda m: "disk" in m.content)
    assert [(e["title"], e["description"]) for e in alert.embeds] == [("Disk", "92% used")]
    assert fake.channel_messages(fake.alert_channel_id) == [alert]
    await rec.wait_done()
    assert rec.ephemeral and fake.channel_messages(fake.ops_channel_id) == []


async def test_second_callback_and_early_webhook_are_refused(
    fake: FakeDiscord, bot: DemoBot, http: aiohttp.ClientSession
) -> None:
    rec = await fake.slash("demo", "silent", user=fake.admin_user)
    callback = f"{fake.api_base}/interactions/{rec.id}/{rec.token}/callback"
    answer = {"type": 4, "data": {"content": "first"}}

    async with http.post(
        f"{fake.api_base}/webhooks/{fake.application_id}/{rec.token}", json={"content": "x"}
    ) as r:
        assert (r.status, (await r.json())["code"]) == (404, 10015)
    async with http.post(callback, json=answer) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "application/json"
        assert (await r.json())["resource"]["message"]["content"] == "first"
    async with http.post(callback, json=answer) as r:
        assert (r.status, (await r.json())["code"]) == (400, 40060)
    assert [(e.action, e.status) for e in rec.history] == [
        ("followup", 404),
        ("callback", 200),
        ("callback", 400),
    ]
    assert [v.code for v in fake.violations] == [10015, 40060]
    fake.violations.clear()


async def test_an_expired_interaction_token_is_refused_as_invalid(
    fake: FakeDiscord, bot: DemoBot, http: aiohttp.ClientSession
) -> None:
    rec = await fake.slash("demo", "think", user=fake.admin_user)
    await rec.wait_done(timeout=5)
    fake.expire_interaction_tokens()

    async with http.patch(
        f"{fake.api_base}/webhooks/{fake.application_id}/{rec.token}/messages/@original",
        json={"content": "too late"},
    ) as r:
        assert r.status == 401
        assert await r.json() == {"message": "Invalid Webhook Token", "code": 50027}
    assert rec.original.content == "done thinking"
    assert [v.code for v in fake.violations] == [50027]
    fake.violations.clear()


async def test_unknown_routes_and_missing_tokens_are_refused(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{fake.api_base}/guilds/1/bans") as r:
        assert r.status == 404 and await r.json() == {"message": "404: Not Found", "code": 0}
    async with aiohttp.ClientSession() as anonymous, anonymous.get(f"{fake.api_base}/users/@me") as r:
        assert r.status == 401

    assert fake.unexpected_routes == ["GET /api/v10/guilds/1/bans"]
    assert [v.status for v in fake.violations] == [404, 401]
    fake.violations.clear()


def _row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"components": [{"type": 1, "components": list(components)}]}


def _button(**fields: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": "b", **fields}


def _field(name: str = "n", value: str = "v") -> dict[str, Any]:
    return {"embeds": [{"fields": [{"name": name, "value": value}]}]}


LIMIT_CASES = {
    "content": ({"content": "x" * 2001}, "content"),
    "embed count": ({"embeds": [{"title": "t"}] * 11}, "embeds"),
    "title": ({"embeds": [{"title": "x" * 257}]}, "embeds.0.title"),
    "description": ({"embeds": [{"description": "x" * 4097}]}, "embeds.0.description"),
    "field count": ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "embeds.0.fields"),
    "empty field name": (_field(name=""), "embeds.0.fields.0.name"),
    "field value": (_field(value="x" * 1025), "embeds.0.fields.0.value"),
    "footer": ({"embeds": [{"footer": {"text": "x" * 2049}}]}, "embeds.0.footer.text"),
    "author": ({"embeds": [{"author": {"name": "x" * 257}}]}, "embeds.0.author.name"),
    "embeds total": ({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]}, "embeds"),
    "rows": ({"components": [{"type": 1, "components": []}] * 6}, "components"),
    "buttons": (_row(*[_button()] * 6), "components.0.components"),
    "label": (_row(_button(label="x" * 81)), "components.0.components.0.label"),
    "custom_id": (_row(_button(custom_id="x" * 101)), "components.0.components.0.custom_id"),
    "select options": (
        _row({"type": 3, "custom_id": "s", "options": [{}] * 26}),
        "components.0.components.0.options",
    ),
}


@pytest.mark.parametrize(("payload", "field"), LIMIT_CASES.values(), ids=LIMIT_CASES.keys())
async def test_channel_message_over_a_limit_is_invalid_form_body(
    fake: FakeDiscord, http: aiohttp.ClientSession, payload: dict[str, Any], field: str
) -> None:
    async with http.post(f"{fake.api_base}/channels/{fake.alert_channel_id}/messages", json=payload) as r:
        body = await r.json()

    assert (r.status, body["code"], body["message"]) == (400, 50035, "Invalid Form Body")
    assert [detail.split(":")[0] for detail in fake.violations[0].details] == [field]
    assert fake.channel_messages(fake.alert_channel_id) == []
    fake.violations.clear()


async def test_limits_are_inclusive(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    payload = {"content": "x" * 2000, "embeds": [{"description": "x" * 4000}, {"description": "x" * 2000}]}
    async with http.post(f"{fake.api_base}/channels/{fake.alert_channel_id}/messages", json=payload) as r:
        assert r.status == 200


async def test_sent_text_decodes_bodies_and_leaves_out_the_token(
    fake: FakeDiscord, bot: DemoBot, http: aiohttp.ClientSession
) -> None:
    await (await fake.slash("demo", "hello", user=fake.admin_user)).wait_done()
    secret = 'sëcret "quoted"'
    async with http.post(
        f"{fake.api_base}/channels/{fake.alert_channel_id}/messages", json={"content": secret}
    ):
        pass

    text = fake.all_sent_text()
    assert "hello alice" in text and secret in text
    assert TOKEN not in text
    assert any(TOKEN in request.headers.get("Authorization", "") for request in fake.requests)
