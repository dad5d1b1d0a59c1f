"""Reusable views: a confirmation only its invoker can answer, and a page flipper."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from cogs.errors import send_error
from cogs.ui.bot_of import bot_of
from cogs.ui.embeds import EmbedSpec

if TYPE_CHECKING:  # bot.app loads the cogs that use these views
    from bot.app import MaintenanceBot

CONFIRM_TIMEOUT = 60.0


class InvokerOnlyView(discord.ui.View):
    """A view whose buttons answer only the member who ran the command."""

    def __init__(self, invoker_id: int, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id
        self.message: discord.InteractionMessage | discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.invoker_id:
            return True
        await interaction.response.send_message(
            "Only the member who ran this command can use these buttons.", ephemeral=True
        )
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await send_error(interaction, error, bot_of(interaction).runtime.redactor)

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True


class ConfirmView(InvokerOnlyView):
    """Confirm / Cancel for a destructive action; after the timeout nothing happens.

    After `wait()`, ``confirmed`` is True, False (cancelled) or None (timed out), and
    ``interaction`` is the button press to answer (None on timeout).
    """

    def __init__(self, invoker_id: int, *, confirm_label: str, timeout: float = CONFIRM_TIMEOUT) -> None:
        super().__init__(invoker_id, timeout=timeout)
        self.confirmed: bool | None = None
        self.interaction: discord.Interaction[MaintenanceBot] | None = None
        self.confirm.label = confirm_label

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger, custom_id="confirm")
    async def confirm(
        self, interaction: discord.Interaction[MaintenanceBot], button: discord.ui.Button[ConfirmView]
    ) -> None:
        await self._answer(interaction, True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="cancel")
    async def cancel(
        self, interaction: discord.Interaction[MaintenanceBot], button: discord.ui.Button[ConfirmView]
    ) -> None:
        await self._answer(interaction, False)

    async def _answer(self, interaction: discord.Interaction[MaintenanceBot], confirmed: bool) -> None:
        self.confirmed = confirmed
        self.interaction = interaction
        self.disable_all()
        self.stop()


async def ask_confirmation(
    interaction: discord.Interaction,
    question: EmbedSpec,
    *,
    confirm_label: str,
) -> ConfirmView:
    """Show ``question`` with Confirm/Cancel (not ephemeral: teammates see it) and wait for an answer.

    After CONFIRM_TIMEOUT seconds without one the buttons are disabled and nothing happens.
    """
    timeout = CONFIRM_TIMEOUT
    view = ConfirmView(interaction.user.id, confirm_label=confirm_label, timeout=timeout)
    if interaction.response.is_done():
        view.message = await interaction.followup.send(embed=question.build(), view=view, wait=True)
    else:
        await interaction.response.send_message(embed=question.build(), view=view)
        view.message = await interaction.original_response()
    if await view.wait():  # timed out: say so where the buttons were, and disable them
        view.disable_all()
        try:
            await view.message.edit(
                content=f"⏱️ No answer within {timeout:g} s — nothing was done.", view=view
            )
        except discord.HTTPException:
            pass
    return view


class PageView(InvokerOnlyView):
    """◀ ▶ over pre-rendered pages; subclasses add buttons of their own."""

    def __init__(
        self,
        invoker_id: int,
        pages: Sequence[EmbedSpec],
        *,
        timeout: float = 600,
        render: Callable[[EmbedSpec, int, int], discord.Embed] | None = None,
    ) -> None:
        super().__init__(invoker_id, timeout=timeout)
        self.pages = list(pages)
        self.index = 0
        self._render = render or _default_page_render
        self._sync_buttons()

    def current_embed(self) -> discord.Embed:
        return self._render(self.pages[self.index], self.index, len(self.pages))

    def _sync_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1

    async def show(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current_embed(), view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary, custom_id="page:previous", row=0)
    async def previous_page(
        self, interaction: discord.Interaction[MaintenanceBot], button: discord.ui.Button[PageView]
    ) -> None:
        self.index = max(self.index - 1, 0)
        await self.show(interaction)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary, custom_id="page:next", row=0)
    async def next_page(
        self, interaction: discord.Interaction[MaintenanceBot], button: discord.ui.Button[PageView]
    ) -> None:
        self.index = min(self.index + 1, len(self.pages) - 1)
        await self.show(interaction)

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass


async def send_pages(interaction: discord.Interaction[MaintenanceBot], pages: Sequence[EmbedSpec]) -> None:
    """Answer a deferred interaction with ``pages``: one embed, or the first of them with ◀ ▶."""
    if len(pages) == 1:
        await interaction.followup.send(embed=pages[0].build())
        return
    view = PageView(interaction.user.id, pages)
    view.message = await interaction.followup.send(embed=view.current_embed(), view=view, wait=True)


def _default_page_render(page: EmbedSpec, index: int, count: int) -> discord.Embed:
    if count == 1:
        return page.build()
    footer = f"Page {index + 1}/{count}" + (f" · {page.footer}" if page.footer else "")
    return dataclasses.replace(page, footer=footer).build()
