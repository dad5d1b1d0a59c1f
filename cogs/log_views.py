"""The `/logs view` pager (Refresh, Copy, Download, Clear) and the download and clear flows it shares
with the `/logs download` and `/logs clear` commands."""

from __future__ import annotations

import functools

import discord

from bot.audit import AuditAction
from bot.logs import AphroditeLog, LogQuery, NoLog, render_plain
from bot.redact import Redactor
from cogs.audited import audited, declined
from cogs.errors import marked_not_completed
from cogs.ui import limits
from cogs.ui.log_embeds import (
    LogPage,
    clear_embed,
    clear_question,
    export_message,
    no_log_embed,
    view_pages,
)
from cogs.ui.views import PageView, ask_confirmation

CANCELLED = "Cancelled — nothing was changed."
# Copy answers with at most this many plain messages (a page holds about 4000 characters).
_COPY_MESSAGES = 3


async def read_pages(log: AphroditeLog, query: LogQuery, lines: int, redactor: Redactor) -> list[LogPage]:
    """The pages of a view, or one page saying the log is missing or empty."""
    result = await log.view(query, lines)
    if isinstance(result, NoLog):
        return [LogPage(no_log_embed(result), ())]
    return view_pages(result, redactor)


async def send_export(
    interaction: discord.Interaction, log: AphroditeLog, query: LogQuery, redactor: Redactor
) -> None:
    """Defer, export the filtered log within the upload limit, attach it (the note says if gzipped or cut)."""
    await interaction.response.defer(thinking=True)
    async with log.export(query, interaction.filesize_limit) as export:
        await interaction.followup.send(
            export_message(export, redactor),
            file=discord.File(export.path, filename=export.filename),
        )


async def confirm_and_clear(interaction: discord.Interaction, log: AphroditeLog, archive: bool) -> None:
    """Ask the invoker; on Confirm archive (unless told not to) and clear; Cancel or silence do nothing."""
    async with audited(interaction, AuditAction.LOGS_CLEAR, str(log.path)) as entry:
        view = await ask_confirmation(
            interaction, clear_question(log.path, archive), confirm_label="Clear the log"
        )
        press = view.interaction
        if not view.confirmed:
            declined(entry, view.confirmed)
        if view.confirmed is None or press is None:
            return
        if not view.confirmed:
            await press.response.edit_message(content=CANCELLED, embed=None, view=view)
            return
        await press.response.defer()
        marked = functools.partial(press.edit_original_response, embed=None, view=view)
        async with marked_not_completed(marked, "❌ The log was not cleared."):
            result = await log.clear(archive=archive)
    await press.edit_original_response(embed=clear_embed(result).build(), view=view)


class LogPageView(PageView):
    """◀ ▶ over a view's pages, plus Refresh, Copy, Download and Clear; only the invoker may press."""

    def __init__(
        self,
        invoker_id: int,
        pages: list[LogPage],
        *,
        log: AphroditeLog,
        query: LogQuery,
        lines: int,
        redactor: Redactor,
    ) -> None:
        self.log_pages = pages
        super().__init__(invoker_id, [page.spec for page in pages])
        self.log = log
        self.query = query
        self.lines = lines
        self.redactor = redactor

    def replace_pages(self, pages: list[LogPage]) -> None:
        self.log_pages = pages
        self.pages = [page.spec for page in pages]
        self.index = 0
        self._sync_buttons()

    @discord.ui.button(
        label="Refresh", emoji="🔄", style=discord.ButtonStyle.primary, custom_id="logs:refresh", row=1
    )
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button[LogPageView]) -> None:
        await interaction.response.defer()
        self.replace_pages(await read_pages(self.log, self.query, self.lines, self.redactor))
        await interaction.edit_original_response(embed=self.current_embed(), view=self)

    @discord.ui.button(
        label="Copy", emoji="📋", style=discord.ButtonStyle.secondary, custom_id="logs:copy", row=1
    )
    async def copy(self, interaction: discord.Interaction, button: discord.ui.Button[LogPageView]) -> None:
        entries = self.log_pages[self.index].entries
        if not entries:
            await interaction.response.send_message("Nothing to copy on this page.", ephemeral=True)
            return
        room = limits.CONTENT - len("```\n\n```")
        pieces = limits.pack_lines(render_plain(entries).split("\n"), room)
        texts = [limits.code_block(piece, limits.CONTENT) for piece in pieces[:_COPY_MESSAGES]]
        await interaction.response.send_message(texts[0], ephemeral=True)
        for text in texts[1:]:
            await interaction.followup.send(text, ephemeral=True)
        if len(pieces) > _COPY_MESSAGES:
            await interaction.followup.send("… the rest is in the Download.", ephemeral=True)

    @discord.ui.button(
        label="Download", emoji="📎", style=discord.ButtonStyle.secondary, custom_id="logs:download", row=1
    )
    async def download(
        self, interaction: discord.Interaction, button: discord.ui.Button[LogPageView]
    ) -> None:
        await send_export(interaction, self.log, self.query, self.redactor)

    @discord.ui.button(
        label="Clear", emoji="🧹", style=discord.ButtonStyle.danger, custom_id="logs:clear", row=1
    )
    async def clear(self, interaction: discord.Interaction, button: discord.ui.Button[LogPageView]) -> None:
        await confirm_and_clear(interaction, self.log, True)
