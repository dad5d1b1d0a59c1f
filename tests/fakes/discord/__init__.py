"""A fake Discord (REST API + gateway) on 127.0.0.1 that the real discord.py client logs into.

It answers like Discord, refuses what Discord would refuse (recording a violation for each
refusal), and records everything the bot sent, so tests can drive slash commands, buttons and
autocomplete and assert on what users would see.

Start and connect::

    async with FakeDiscord(attachment_size_limit=10 * 1024 * 1024) as fake:   # or start()/close()
        discord.http.Route.BASE = fake.api_base     # "http://127.0.0.1:PORT/api/v10"
        # GET {api_base}/gateway/bot returns fake.gateway_url ("ws://127.0.0.1:PORT/gateway"); a bot
        # that does not ask must get DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url).
        task = asyncio.create_task(bot.start("any-token"))
        await fake.wait_until_ready(timeout=10)     # IDENTIFY answered with READY and GUILD_CREATE
        await fake.wait_for_commands(timeout=10)    # a command list was PUT; see fake.commands

The world: ``fake.guild_id``, ``fake.application_id``, ``fake.bot_user_id``, ``fake.ops_channel_id``,
``fake.alert_channel_id``, ``fake.admin_role_id``, ``fake.owner_role_id`` and the ``FakeUser``\\s
``fake.admin_user`` and ``fake.other_admin_user`` (holding ``admin_role_id``), ``fake.stranger_user``
(no roles) and ``fake.owner_user`` (the guild owner; Administrator through its own role, not
``admin_role_id``). ``fake.guild`` builds the payloads; any ``FakeUser(id, name, roles, administrator)``
may act.

Acting as a user (each returns once the interaction is dispatched)::

    rec = await fake.slash("check", "all", user=fake.admin_user, options={"name": "x", "limit": 3})
    rec = await fake.click(rec.original, "confirm", user=fake.admin_user)   # a button of a message
    choices = await fake.autocomplete("backup", "restore", focused="name", value="aph", user=...)

``slash`` types option values from the registered tree (str, int, bool, float, ``FakeUser``, channel
or role ids) and raises ValueError for anything a Discord client would not send (unknown option,
missing required option, value outside its choices or bounds, disabled or missing button).

``InteractionRecord``: ``callback_type`` (4 message, 5 deferred, 6 deferred update, 7 update, 8
autocomplete, 9 modal), ``ack_latency``, ``ephemeral``, ``original`` (the ``MessageRecord`` of
@original: the response, the "thinking" message, or for 6/7 the clicked message), ``followups``,
``history`` (``HistoryEntry(action, payload, status, seconds_after_dispatch)`` for every request,
refused ones included), ``choices``, ``modal``; ``await rec.wait_acknowledged()``, ``await
rec.wait_for(predicate)``, ``await rec.wait_done()`` (answer final: a message, or a deferral edited
or followed up). The first follow-up after a "thinking" deferral replaces that message, as on
Discord, so it is both ``original`` and ``followups[0]``.

``MessageRecord``: ``id``, ``content``, ``embeds``, ``components`` (as sent), ``attachments``
(``(filename, bytes)``), ``flags``, ``ephemeral``, ``loading``, ``deleted``, ``buttons()`` (``(custom_id,
label, disabled)``), ``all_text()``. There is one record per message id: edits through any route
change it in place. ``fake.channel_messages(channel_id)`` and ``await
fake.wait_for_channel_message(channel_id, predicate)`` cover messages posted to channels.

Rules enforced (refused with Discord's status and body, and appended to ``fake.violations``):
content, embed, component, file-count and autocomplete limits (400 code 50035 Invalid Form
Body); empty messages (50006); files over ``attachment_size_limit`` each or together (413, 40005);
callbacks later than 3 s (404, 10062), second callbacks (400, 40060); webhook calls before the
callback (404, 10015) or after the token's 15 minutes (401, 50027; ``fake.expire_interaction_tokens()``
ages every token at once); unknown messages, channels, routes (404; routes also in
``fake.unexpected_routes``) and calls without a bot token (401). ``fake.assert_no_violations()``
raises listing them; clear ``fake.violations`` after asserting on deliberate ones.

Faults: add a channel id to ``fake.channels_without_access`` and posting there answers 403
Missing Access (a violation; clear ``fake.violations`` after), as when the bot lost its permission.

Also: ``fake.interactions`` (every ``InteractionRecord``), ``fake.message(id)``, ``fake.connected``,
and ``await fake.drop_gateway(code=4000)``, which closes the bot's gateway socket and returns once it
is back (True if it resumed its session, as discord.py does).

Traffic: ``fake.requests`` (``RecordedRequest(method, path, query, headers, body)``) and
``fake.all_sent_text()``: request lines, bodies (raw and JSON-decoded) and gateway frames
(token removed), never headers, for asserting that no secret leaks.
"""

from .records import HistoryEntry, InteractionRecord, MessageRecord
from .server import FakeDiscord
from .traffic import RecordedRequest, Violation
from .world import FakeUser

__all__ = [
    "FakeDiscord",
    "FakeUser",
    "HistoryEntry",
    "InteractionRecord",
    "MessageRecord",
    "RecordedRequest",
    "Violation",
]
