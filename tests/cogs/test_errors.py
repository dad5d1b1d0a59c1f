"""`marked_not_completed`: the one way a cog marks its public message when an operation fails."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import discord
import pytest

from cogs.errors import marked_not_completed


class Message:
    """Where the edits land: the content a member would see."""

    def __init__(self) -> None:
        self.content = "⏳ Working…"

    async def edit(self, *, content: str) -> None:
        self.content = content


async def expired_token(*, content: str) -> None:
    response = SimpleNamespace(status=401, reason="Unauthorized")
    raise discord.HTTPException(response, {"code": 50027, "message": "Invalid Webhook Token"})


async def test_a_failure_replaces_the_message_and_is_raised_on():
    message = Message()
    with pytest.raises(ValueError, match="disk full"):
        async with marked_not_completed(message.edit, "❌ The backup did not complete."):
            raise ValueError("disk full")
    assert message.content == "❌ The backup did not complete."


async def test_success_leaves_the_message_alone():
    message = Message()
    async with marked_not_completed(message.edit, "❌ The backup did not complete."):
        pass
    assert message.content == "⏳ Working…"


async def test_a_failed_edit_is_logged_and_the_original_error_still_raised(caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(ValueError, match="disk full"):
        async with marked_not_completed(expired_token, "❌ The backup did not complete."):
            raise ValueError("disk full")
    assert "could not mark a message as not completed" in caplog.text
