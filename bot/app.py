"""MaintenanceBot: the discord.py client that loads the cogs over a shared Runtime."""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import discord
import yarl
from discord.ext import commands, tasks
from discord.http import Route

from bot import heartbeat
from bot.alerts.incident_desk import IncidentDesk
from bot.alerts.monitor import Monitor
from bot.alerts.requests import RequestQueue
from bot.database.role import warn_if_superuser
from bot.errors import OpsError
from bot.history.recorder import RoundRecorder
from bot.ops_http.observers import MeteredDelivery, MeteredRounds
from bot.runtime import Runtime
from cogs.access import GuardedTree
from cogs.alert_delivery import AlertPoster

if TYPE_CHECKING:
    from bot.ops_http.server import OpsServer

log = logging.getLogger("aphrodite_ops")

COGS = (
    "cogs.connections",
    "cogs.database",
    "cogs.backups",
    "cogs.drills",
    "cogs.logs",
    "cogs.alerts",
    "cogs.audit",
)


def use_api_base(api_base: str | None) -> None:
    """Send REST calls to ``api_base`` (a REST proxy or a test server) instead of Discord's."""
    if api_base:
        Route.BASE = api_base.rstrip("/")


class MaintenanceBot(commands.Bot):
    """Owns nothing itself: the Runtime (HTTP session, pool, state) is opened outside and handed in.

    ``monitor`` runs the automatic alerts from the first READY until `close` (only with
    ALERT_CHANNEL_ID); every round's results go to the measurement history and the metrics.
    ``incidents`` does the work of the incident alerts' buttons. With METRICS_PORT, `/metrics`,
    `/livez` and `/readyz` are served from ``async with`` (before Discord is connected, so
    `/readyz` says 503 until it is) to its end.
    ``monitor_interval`` overrides CHECK_INTERVAL_SECONDS (tests only).
    """

    def __init__(
        self, runtime: Runtime, *, monitor_interval: float | None = None, **client_options: Any
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=GuardedTree,
            allowed_contexts=discord.app_commands.AppCommandContext(guild=True),
            allowed_mentions=discord.AllowedMentions(everyone=False, users=False, roles=False),
            **client_options,
        )
        self.runtime = runtime
        metrics = runtime.metrics
        self._start_checks: set[asyncio.Task[None]] = set()
        self.monitor = Monitor.from_runtime(
            runtime,
            MeteredDelivery(metrics, AlertPoster(self).deliver),
            on_round=MeteredRounds(metrics, RoundRecorder(runtime.history, runtime.database)),
            interval=monitor_interval,
        )
        if self.monitor.enabled:
            metrics.follow_incidents(lambda: len(self.monitor.engine.state.open_incidents()))
        self.incidents = IncidentDesk(self.monitor)
        self.ops_http: OpsServer | None = None
        self._requests = RequestQueue(runtime.state)
        self._requests_failing = False

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        if self.runtime.settings.metrics_port:
            await self._serve_ops_http()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc_value, traceback)
        finally:
            if self.ops_http is not None:
                await self.ops_http.stop()

    async def _serve_ops_http(self) -> None:
        """Listen on METRICS_BIND:METRICS_PORT (MetricsUnavailable when impossible)."""
        from bot.ops_http.server import OpsServer

        runtime = self.runtime
        try:  # the newest backup on disk, so a restart does not reset the backup metrics
            runtime.metrics.seed_backup(await runtime.backups.list())
        except (OSError, OpsError) as error:
            log.warning("metrics: cannot read BACKUP_DIR for the newest backup (%s)", type(error).__name__)
        server = OpsServer(
            bind=runtime.settings.metrics_bind,
            port=runtime.settings.metrics_port,
            metrics=runtime.metrics,
            state=runtime.state,
            discord_connected=self._discord_connected,
        )
        await server.start()
        self.ops_http = server

    def _discord_connected(self) -> bool:
        return self.is_ready() and not self.is_closed() and self.ws is not None and self.ws.open

    async def setup_hook(self) -> None:
        if self.runtime.settings.discord_api_base:
            await self._use_gateway_of_api_base()
        for extension in COGS:
            await self.load_extension(extension)
        await self._sync_commands()
        # In the background: a database that is down or slow must not hold the start up.
        check = asyncio.create_task(warn_if_superuser(self.runtime.database))
        self._start_checks.add(check)
        check.add_done_callback(self._start_checks.discard)

    async def _use_gateway_of_api_base(self) -> None:
        """discord.py connects to its default gateway; ask the configured API base for its own."""
        data = await self.http.request(Route("GET", "/gateway/bot"))
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(data["url"])

    async def _sync_commands(self) -> None:
        guild_id = self.runtime.settings.discord_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (may take up to an hour to appear)", len(synced))

    @tasks.loop(seconds=heartbeat.INTERVAL_SECONDS)
    async def _heartbeat(self) -> None:
        if self.is_ready() and not self.is_closed():
            await asyncio.to_thread(heartbeat.beat, self.runtime.settings.data_dir)

    @tasks.loop(seconds=1)
    async def _command_line_requests(self) -> None:
        """`python -m bot alerts pause|resume|test` while the bot runs: applied by its monitor."""
        try:
            await self._requests.apply_pending(self.monitor)
        except Exception:
            if not self._requests_failing:  # once per outage: this runs every second
                log.exception("the command line's alert requests could not be read; retrying every second")
            self._requests_failing = True
        else:
            self._requests_failing = False

    async def close(self) -> None:
        for check in tuple(self._start_checks):
            check.cancel()
        self._command_line_requests.cancel()
        self._heartbeat.cancel()
        await self.monitor.stop()
        await super().close()

    async def on_ready(self) -> None:
        if not self._heartbeat.is_running():
            self._heartbeat.start()
        self.monitor.start()
        if self.monitor.enabled and not self._command_line_requests.is_running():
            self._command_line_requests.start()
        log.info(
            "logged in as %s (%s) in %d guild(s)", self.user, getattr(self.user, "id", "?"), len(self.guilds)
        )
