"""`/backup`: create, list, drill, download, restore and delete PostgreSQL backups, plus the scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.targets import record_scheduled_backup
from bot.app import MaintenanceBot
from bot.audit import AuditAction, Outcome, OutcomeKind
from bot.audit.auditor import AuditEntry
from bot.audit.scheduled import audit_scheduled
from bot.backups.compression import Compression
from bot.backups.inventory import BackupFile, BackupNotFound, open_backup
from bot.backups.schedule import BackupScheduler, ScheduledBackupDone, ScheduledBackupFailure
from bot.backups.service import BackupService
from bot.drills.service import summary
from bot.offsite.listing import remote_listing
from bot.offsite.remote import RemoteCopy
from cogs.audited import audited, declined
from cogs.backup_choices import choices, remote_only_names
from cogs.backup_progress import progress_editor, requester
from cogs.errors import marked_not_completed
from cogs.ui.backup_embeds import (
    created_embed,
    delete_question,
    deleted_embed,
    download_embed,
    list_pages,
    restore_question,
    restored_embed,
)
from cogs.ui.delivery import edit_or_post, post_to_channel, token_expired
from cogs.ui.drill_embeds import drill_embed
from cogs.ui.embeds import EmbedSpec
from cogs.ui.offsite_embeds import (
    listing_field,
    not_configured_embed,
    remote_restore_question,
    status_embed,
    upload_text,
)
from cogs.ui.views import PageView, ask_confirmation

log = logging.getLogger(__name__)


class Backups(commands.Cog):
    """Thin adapter over BackupService; destructive commands wait for the invoker's confirmation."""

    backup = app_commands.Group(name="backup", description="PostgreSQL backups of Aphrodite's database")

    def __init__(self, bot: MaintenanceBot) -> None:
        self.bot = bot
        self.service: BackupService = bot.runtime.backups
        bot.runtime.offsite.on_failed = bot.monitor.scheduled_backup_failed  # its incident opens at once
        self.scheduler = BackupScheduler.from_settings(
            self.service,
            bot.runtime.settings,
            on_failure=self._alert_failed_schedule,
            on_success=self._record_good_schedule,
        )

    async def cog_load(self) -> None:
        if self.scheduler.enabled:
            self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    @backup.command(name="create", description="Back up the database now (pg_dump), with live progress")
    @app_commands.describe(
        compress="true (default): packed with BACKUP_COMPRESSION (gzip unless set to zstd); false: plain SQL"
    )
    async def create(self, interaction: discord.Interaction[MaintenanceBot], compress: bool = True) -> None:
        await interaction.response.defer(thinking=True)
        async with (
            audited(interaction, AuditAction.BACKUP_CREATE) as entry,
            marked_not_completed(interaction.edit_original_response, "❌ The backup did not complete."),
        ):
            result = await self.service.create(
                label=requester(interaction),
                compression=None if compress else Compression.NONE,
                progress=progress_editor(interaction.edit_original_response),
            )
            entry.target = result.name
        keep = self.bot.runtime.settings.backup_keep
        retention = await self.service.apply_retention(keep, label=requester(interaction))
        limit = interaction.filesize_limit
        attach = result.size <= limit
        await edit_or_post(
            interaction,
            embed=created_embed(result, attach, limit, retention).build(),
            files=lambda: [discord.File(result.path, filename=result.name)] if attach else [],
        )
        await self._follow_upload(interaction.edit_original_response, result.name)

    async def _follow_upload(self, edit: Callable[..., Awaitable[object]], name: str) -> None:
        """The background off-site upload of ``name``: its progress, then its result, in the same message."""
        offsite = self.bot.runtime.offsite
        if not offsite.configured:
            return
        offsite.watch(name, progress_editor(edit))
        outcome = await offsite.wait(name)
        if outcome is None:
            return
        try:
            await edit(content=upload_text(outcome))
        except discord.HTTPException:
            log.debug("the off-site result could not be shown", exc_info=True)

    @backup.command(name="list", description="The backups, newest first (Aphrodite's included)")
    async def list_backups(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        inventory = await self.service.inventory()
        remote = await remote_listing(self.bot.runtime.offsite, inventory)
        pages = list_pages(inventory, self.service.backup_dir, remote.places if remote else None)
        if remote is not None:
            pages[0].add_field(*listing_field(remote))
        if len(pages) == 1:
            await interaction.response.send_message(embed=pages[0].build())
            return
        view = PageView(interaction.user.id, pages)
        await interaction.response.send_message(embed=view.current_embed(), view=view)
        view.message = await interaction.original_response()

    @backup.command(
        name="drill", description="Prove a backup restores: into a scratch database, compared, dropped"
    )
    @app_commands.describe(name="the backup (start typing to choose; default: the newest local one)")
    async def drill(self, interaction: discord.Interaction[MaintenanceBot], name: str | None = None) -> None:
        await interaction.response.defer(thinking=True)
        async with (
            audited(interaction, AuditAction.BACKUP_DRILL, name) as entry,
            marked_not_completed(interaction.edit_original_response, "❌ The drill could not run."),
        ):
            if name is not None and self.bot.runtime.offsite.configured:
                await self.bot.runtime.offsite.ensure_local(name)  # only off-site: drilled from a download
            result = await self.bot.runtime.drills.drill(name, label=requester(interaction))
            entry.target = result.name
            if not result.ok:
                entry.outcome = Outcome(OutcomeKind.FAILED, summary(result))
        await edit_or_post(interaction, embed=drill_embed(result).build())

    @backup.command(name="download", description="Attach a backup file")
    @app_commands.describe(name="the backup (start typing to choose)")
    async def download(self, interaction: discord.Interaction[MaintenanceBot], name: str) -> None:
        backup = await self.service.find(name)
        limit = interaction.filesize_limit
        if backup.size > limit:
            await interaction.response.send_message(embed=download_embed(backup, limit).build())
            return
        await interaction.response.defer(thinking=True)
        # The file that was vetted, not whatever is at its path by now.
        with await asyncio.to_thread(open_backup, backup) as file:
            await interaction.followup.send(
                content=f"`{backup.name}`", file=discord.File(file, filename=backup.name)
            )

    @backup.command(name="restore", description="Replace the database with a backup (asks first)")
    @app_commands.describe(name="the backup (start typing to choose)")
    async def restore(self, interaction: discord.Interaction[MaintenanceBot], name: str) -> None:
        async with audited(interaction, AuditAction.BACKUP_RESTORE, name) as entry:
            source = await self._restore_source(name)
            question = (
                remote_restore_question(source)
                if isinstance(source, RemoteCopy)
                else restore_question(source)
            )
            press = await self._confirmed(interaction, question, "Restore", entry)
            if press is None:
                return
            async with marked_not_completed(press.edit_original_response, "❌ The restore did not complete."):
                if isinstance(source, RemoteCopy):
                    await press.edit_original_response(
                        content="⏳ Downloading and checking the off-site copy…"
                    )
                    await self.bot.runtime.offsite.fetch(name)
                result = await self.service.restore(
                    source.name,
                    label=requester(interaction),
                    progress=progress_editor(press.edit_original_response),
                )
        done, embed = "✅ Restore complete.", restored_embed(result).build()
        try:
            await press.edit_original_response(content=done)
            await press.followup.send(embed=embed)
        except discord.HTTPException as error:
            if not token_expired(error):
                raise
            await post_to_channel(press, content=done, embed=embed)

    @backup.command(name="delete", description="Delete a backup file (asks first)")
    @app_commands.describe(name="the backup (start typing to choose)")
    async def delete(self, interaction: discord.Interaction[MaintenanceBot], name: str) -> None:
        async with audited(interaction, AuditAction.BACKUP_DELETE, name) as entry:
            backup = await self.service.find(name)
            press = await self._confirmed(interaction, delete_question(backup), "Delete", entry)
            if press is None:
                return
            async with marked_not_completed(press.edit_original_response, "❌ The backup was not deleted."):
                deleted = await self.service.delete(backup.name, label=requester(interaction))
        await press.edit_original_response(content="✅ Deleted.")
        await press.followup.send(embed=deleted_embed(deleted).build())

    async def _restore_source(self, name: str) -> BackupFile | RemoteCopy:
        """The local backup ``name``, or else its off-site copy; BackupNotFound when neither exists."""
        try:
            return await self.service.find(name)
        except BackupNotFound:
            offsite = self.bot.runtime.offsite
            if not offsite.configured:
                raise
            copies = [copy for copy in await offsite.copies() if copy.name == name and copy.ours]
            if not copies:
                raise
            return copies[0]

    @backup.command(
        name="offsite", description="Off-site copies: where, how many, the newest, the last problem"
    )
    async def offsite(self, interaction: discord.Interaction[MaintenanceBot]) -> None:
        offsite = self.bot.runtime.offsite
        if not offsite.configured:
            await interaction.response.send_message(embed=not_configured_embed().build())
            return
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(embed=status_embed(await offsite.status()).build())

    async def _confirmed(
        self,
        interaction: discord.Interaction[MaintenanceBot],
        question: EmbedSpec,
        label: str,
        entry: AuditEntry,
    ) -> discord.Interaction[MaintenanceBot] | None:
        """The invoker's Confirm press, answered; None (audited, and the message says so) otherwise."""
        view = await ask_confirmation(interaction, question, confirm_label=label)
        if not view.confirmed:
            declined(entry, view.confirmed)
        if view.confirmed is None:
            return None  # the view's timeout already said that nothing was done
        press = view.interaction
        assert press is not None, "an answered confirmation comes with the press that answered it"
        if not view.confirmed:
            await press.response.edit_message(content="Cancelled — nothing was changed.", view=view)
            return None
        await press.response.edit_message(content=f"⏳ {label} confirmed — working…", view=view)
        return press

    @download.autocomplete("name")
    @delete.autocomplete("name")
    async def backup_names(
        self, interaction: discord.Interaction[MaintenanceBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(await self._local_names(current), [])

    @drill.autocomplete("name")
    @restore.autocomplete("name")
    async def restorable_names(
        self, interaction: discord.Interaction[MaintenanceBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """The local backups, then those only off-site (asked of the store within the answer's time)."""
        local = await self._local_names(current)
        return choices(local, await remote_only_names(self.bot.runtime.offsite, current, local))

    async def _local_names(self, current: str) -> list[str]:
        typed = current.lower()
        return [backup.name for backup in await self.service.list() if typed in backup.name.lower()]

    async def _alert_failed_schedule(self, failure: ScheduledBackupFailure) -> None:
        """The "backups" alert target reads this record; the monitor opens its incident at once."""
        await audit_scheduled(self.bot.runtime.audit, failure)
        await record_scheduled_backup(self.bot.runtime.state, failure.failed_at, failure.error)
        if self.bot.runtime.settings.alert_channel_id is None:
            log.warning("scheduled backup failed and ALERT_CHANNEL_ID is not set: %s", failure.error)
            return
        await self.bot.monitor.scheduled_backup_failed()

    async def _record_good_schedule(self, done: ScheduledBackupDone) -> None:
        await audit_scheduled(self.bot.runtime.audit, done)
        await record_scheduled_backup(self.bot.runtime.state, done.backup.created_at, None)


async def setup(bot: MaintenanceBot) -> None:
    await bot.add_cog(Backups(bot))
