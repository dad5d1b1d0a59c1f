"""The one place where exceptions become words for the user (and tracebacks for the bot's log).

Also the one way a cog marks its public message when an operation fails: `marked_not_completed`.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable

import discord
from discord import app_commands

from bot.errors import OpsError
from bot.redact import Redactor
from cogs.ui.delivery import post_to_channel, token_expired
from cogs.ui.markup import inert

log = logging.getLogger("aphrodite_ops.errors")


def describe_for_user(error: BaseException, redactor: Redactor) -> str:
    """The ephemeral text for an error: its own words for expected ones, an id for the rest."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, OpsError):
        hint = f"\n→ /{error.command_hint}" if error.command_hint else ""
        if not hint and error.hint:
            hint = f"\n→ {inert(redactor(error.hint))}"
        return f"❌ {inert(redactor(str(error)))}{hint}"
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"⏳ Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return "⛔ You cannot use this command here."
    error_id = secrets.token_hex(4)
    log.error("unexpected error %s", error_id, exc_info=(type(error), error, error.__traceback__))
    return f"💥 Something went wrong (error id `{error_id}`). The details are in the bot's log."


async def send_error(interaction: discord.Interaction, error: BaseException, redactor: Redactor) -> None:
    """Tell the user, ephemerally, whether or not the interaction was already answered."""
    text = describe_for_user(error, redactor)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as error:
        if not token_expired(error):
            log.warning("could not deliver an error message to the user", exc_info=True)
            return
        try:  # a long command outlived its 15-minute token: the channel is the only way left
            await post_to_channel(interaction, content=text)
        except discord.HTTPException:
            log.warning("could not post an error message to the channel", exc_info=True)


@contextlib.asynccontextmanager
async def marked_not_completed(edit: Callable[..., Awaitable[object]], text: str) -> AsyncIterator[None]:
    """When the block raises, replace the public message's content with ``text``, then re-raise.

    The message (``edit`` is e.g. ``interaction.edit_original_response``) stops saying "thinking"
    or showing progress; the reason itself reaches the invoker through the error handler
    (`send_error`). A failed edit (such as an expired token) is logged, never raised over the
    operation's own error.
    """
    try:
        yield
    except Exception:
        try:
            await edit(content=text)
        except discord.HTTPException:
            log.warning("could not mark a message as not completed", exc_info=True)
        raise
