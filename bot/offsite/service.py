"""`OffsiteService`: what the adapters call for off-site copies (push, list, fetch, prune, status).

Every new verified backup reaches `observe` (BackupService's ``on_created``), which uploads it in
the background; the CLI waits for its own. A failed upload is retried with backoff, then kept as
the last problem (a Backups incident) until one works. Fail closed: without
OFFSITE_AGE_RECIPIENTS nothing is uploaded unless OFFSITE_ALLOW_PLAINTEXT=true.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.backups.inventory import BackupNotFound
from bot.backups.progress import BackupProgress, ProgressCallback, ProgressReporter
from bot.backups.results import BackupResult
from bot.backups.service import BackupService
from bot.config import Settings
from bot.errors import OpsError
from bot.offsite.crypto import settings_recipients
from bot.offsite.errors import OffsiteFailed, OffsiteNotConfigured
from bot.offsite.fetch import fetch_copy
from bot.offsite.location import Location
from bot.offsite.problem import last_problem, record_upload
from bot.offsite.record import record_copy
from bot.offsite.remote import OffsiteStatus, RemoteCopy, copies_to_prune, list_copies
from bot.offsite.store import ObjectStore
from bot.offsite.upload import DEFAULT_PART_SIZE, PushOutcome, UploadedCopy, backup_sha256, upload_backup
from bot.redact import Redactor

if TYPE_CHECKING:
    from bot.state import StateStore

log = logging.getLogger(__name__)

RETRY_DELAYS_SECONDS = (10.0, 60.0, 300.0)


class OffsiteService:
    """Copies of the backups of ``backups`` in OFFSITE_URL."""

    def __init__(
        self,
        settings: Settings,
        backups: BackupService,
        *,
        redactor: Redactor,
        state: StateStore | None = None,
        on_uploaded: Callable[[datetime], None] | None = None,
        part_size: int = DEFAULT_PART_SIZE,
        retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS,
        progress_interval: float = 1.5,
    ) -> None:
        self.settings = settings
        self.backups = backups
        self.part_size = part_size
        self.retry_delays = tuple(retry_delays)
        self.progress_interval = progress_interval
        self._redactor = redactor
        self._state = state
        self._on_uploaded = on_uploaded
        self._tasks: dict[str, asyncio.Task[PushOutcome]] = {}
        # Told once an upload failed for good (the bot: the monitor's Backups round, run at once).
        self.on_failed: Callable[[], Awaitable[None]] | None = None
        self._watchers: dict[str, ProgressCallback] = {}

    @property
    def configured(self) -> bool:
        return self.settings.offsite_url is not None

    @property
    def location(self) -> Location:
        if self.settings.offsite_url is None:
            raise OffsiteNotConfigured(
                "OFFSITE_URL is not set: off-site copies are off (s3://bucket/prefix)."
            )
        return Location.parse(self.settings.offsite_url)

    @property
    def store(self) -> ObjectStore:
        return ObjectStore(self.settings, self.location)

    def recipients(self) -> list[object] | None:
        """The age recipients; None for plaintext copies (only with OFFSITE_ALLOW_PLAINTEXT=true)."""
        return settings_recipients(self.settings)

    def observe(self, result: BackupResult) -> None:
        """BackupService's ``on_created``: upload the new backup in the background (when configured).

        Its progress goes to whoever `watch`es it (the message that showed the backup's progress).
        """
        name = result.name
        if not self.configured or name in self._tasks:
            return

        async def forward(progress: BackupProgress) -> None:
            watcher = self._watchers.get(name)
            if watcher is not None:
                await watcher(progress)

        self._tasks[name] = asyncio.get_running_loop().create_task(
            self.push_with_retries(name, forward), name=f"offsite-{name}"
        )

    def watch(self, name: str, progress: ProgressCallback) -> None:
        """Send the progress of the background upload of ``name`` to ``progress`` from now on."""
        self._watchers[name] = progress

    async def wait(self, name: str) -> PushOutcome | None:
        """The outcome of the background upload of ``name``; None when none was started."""
        task = self._tasks.pop(name, None)
        try:
            return await task if task is not None else None
        finally:
            self._watchers.pop(name, None)

    async def drain(self) -> None:
        """Wait for every background upload (the CLI, before it exits)."""
        while self._tasks:
            await self.wait(next(iter(self._tasks)))

    async def close(self) -> None:
        """Stop the uploads still running (the bot shutting down): each aborts its multipart upload."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def push_with_retries(self, name: str, progress: ProgressCallback | None = None) -> PushOutcome:
        """`push`, retried after each of ``retry_delays``; the last error is recorded, never raised.

        ``progress`` hears the "uploading" phase (bytes of the backup read so far).
        """
        reporter = ProgressReporter(progress, operation="upload", interval=self.progress_interval)
        try:
            return await self._push_with_retries(name, reporter)
        finally:
            await reporter.close()

    async def _push_with_retries(self, name: str, reporter: ProgressReporter) -> PushOutcome:
        message = ""
        for delay in (*self.retry_delays, None):
            try:
                copy, pruned = await self.push(name, reporter=reporter)
                return PushOutcome(name, copy, None, pruned)
            except OffsiteNotConfigured as error:
                message = str(error)
                break  # a setting, not the store: retrying cannot help
            except OpsError as error:
                message = str(error)
            except Exception as error:
                message = self._describe(error)
            if delay is None:
                break
            log.warning("off-site copy of %s failed, retrying in %.0f s: %s", name, delay, message)
            await asyncio.sleep(delay)
        log.error("off-site copy of %s failed: %s", name, message)
        await self._record_problem(name, message)
        if self.on_failed is not None:
            try:
                await self.on_failed()
            except Exception:
                log.exception("the off-site failure could not be reported")
        return PushOutcome(name, None, message)

    async def push(
        self, name: str, *, reporter: ProgressReporter | None = None
    ) -> tuple[UploadedCopy, tuple[str, ...]]:
        """Upload backup ``name`` once, verify it, record it in its sidecar, then apply OFFSITE_KEEP."""
        recipients = self.recipients()
        backup = await self.backups.find(name)
        sha256 = backup.sha256 if backup.verified and backup.sha256 else await backup_sha256(backup)
        try:
            copy = await upload_backup(
                self.store,
                backup,
                sha256=sha256,
                recipients=recipients,
                part_size=self.part_size,
                reporter=reporter,
            )
        except OpsError:
            raise
        except Exception as error:
            raise OffsiteFailed(f"The upload of {name} failed: {self._describe(error)}") from None
        await record_copy(
            await self.backups.find(name),  # its sidecar as it is now, not as before the upload
            self.backups.seal,
            url=str(self.location),
            key=copy.key,
            size=copy.size,
            encrypted=copy.encrypted,
            uploaded_at=copy.uploaded_at,
        )
        log.info("off-site copy of %s verified at %s", name, copy.key)
        if self._on_uploaded is not None:
            self._on_uploaded(copy.uploaded_at)
        await self._record_problem(name, None)
        return copy, await self._prune_quietly()

    async def copies(self) -> list[RemoteCopy]:
        """Every copy under the prefix, newest first; OffsiteFailed when the store cannot be read."""
        try:
            return await list_copies(self.store)
        except OpsError:
            raise
        except Exception as error:
            raise OffsiteFailed(
                f"The store at {self.location} cannot be listed: {self._describe(error)}"
            ) from None

    async def fetch(self, name: str) -> Path:
        """Make the off-site copy of ``name`` a local backup (downloaded, decrypted with
        OFFSITE_AGE_IDENTITY_FILE, checked against its sha256); its path in BACKUP_DIR.

        For restores and drills of a backup that exists only off-site. CopyRefused for a copy that
        does not verify; BackupNotFound when there is no copy of that name.
        """
        matching = [copy for copy in await self.copies() if copy.name == name]
        if not matching:
            raise BackupNotFound(
                f"No backup named {name[:80]!r} in {self.settings.backup_dir} or {self.location}."
            )
        copy = max(matching, key=lambda copy: copy.encrypted)  # the encrypted one if both are there
        try:
            path = await fetch_copy(
                self.store,
                copy,
                self.settings.backup_dir,
                self.settings.offsite_age_identity_file,
                self.backups.seal,
            )
        except OpsError:
            raise
        except Exception as error:
            raise OffsiteFailed(f"The download of {copy.key} failed: {self._describe(error)}") from None
        log.info("fetched the off-site copy %s into %s", copy.key, path)
        return path

    async def ensure_local(self, name: str) -> bool:
        """Fetch ``name`` when it is not in BACKUP_DIR but is off-site; True when it was fetched."""
        try:
            await self.backups.find(name)
            return False
        except BackupNotFound:
            if not self.configured:
                raise
        await self.fetch(name)
        return True

    async def prune(self, *, dry_run: bool = False) -> tuple[str, ...]:
        """Delete our copies beyond OFFSITE_KEEP (never the newest, nor others'); ``dry_run``: name them."""
        doomed = copies_to_prune(await self.copies(), self.settings.offsite_keep)
        if not dry_run:
            store = self.store
            async with store.client() as client:
                for copy in doomed:
                    await store.delete(client, copy.key)
                    log.info("off-site retention removed %s", copy.key)
        return tuple(copy.name for copy in doomed)

    async def status(self) -> OffsiteStatus:
        copies = await self.copies()
        ours = [copy for copy in copies if copy.ours]
        return OffsiteStatus(
            url=str(self.location),
            encrypted=bool(self.settings.offsite_age_recipients),
            copies=len(ours),
            newest=ours[0] if ours else None,
            others=len(copies) - len(ours),
            would_prune=tuple(copy.name for copy in copies_to_prune(copies, self.settings.offsite_keep)),
            problem=await self.last_problem(),
            keep=self.settings.offsite_keep,
        )

    async def last_problem(self) -> dict[str, str] | None:
        return await last_problem(self._state) if self._state is not None else None

    async def _prune_quietly(self) -> tuple[str, ...]:
        try:
            return await self.prune()
        except Exception as error:
            log.warning("off-site retention failed: %s", self._describe(error))
            return ()

    async def _record_problem(self, name: str, error: str | None) -> None:
        if self._state is not None:
            await record_upload(self._state, name, error)

    def _describe(self, error: BaseException) -> str:
        return self._redactor(f"{type(error).__name__}: {error}")[:300]
