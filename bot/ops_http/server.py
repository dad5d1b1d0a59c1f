"""`/metrics`, `/livez` and `/readyz` on METRICS_BIND:METRICS_PORT, for Prometheus and orchestrators.

`/livez` answers 200 whenever the event loop runs the handler. `/readyz` answers 200 once Discord
is connected and the state store can be read, 503 with the reason otherwise. Bodies are fixed
words and metric values: never a secret, an error's text or a log line.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable

from aiohttp import web

from bot.ops_http.errors import MetricsUnavailable
from bot.ops_http.exposition import CONTENT_TYPE, Exposition
from bot.ops_http.metrics import OpsMetrics
from bot.state import StateStore

log = logging.getLogger(__name__)

# A state store that cannot answer a one-row read in this long is not ready.
STATE_READ_TIMEOUT_SECONDS = 5.0
_PROBE_KEY = "ops_http.readiness"  # never written: reading it touches the file and its table


class OpsServer:
    """Serves the three routes from `start` until `stop` (both idempotent)."""

    def __init__(
        self,
        *,
        bind: str,
        port: int,
        metrics: OpsMetrics,
        state: StateStore,
        discord_connected: Callable[[], bool],
    ) -> None:
        self.bind = bind
        self.port = port
        self._exposition = Exposition(metrics)
        self._state = state
        self._discord_connected = discord_connected
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; MetricsUnavailable naming METRICS_PORT and METRICS_BIND when that is impossible."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/livez", self._livez)
        app.router.add_get("/readyz", self._readyz)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.bind, self.port).start()
        except OSError as error:
            await runner.cleanup()
            raise self._unavailable(error) from None
        self._runner = runner
        log.info("serving /metrics, /livez and /readyz on %s:%d", self.bind, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _metrics(self, request: web.Request) -> web.Response:
        response = web.Response(body=self._exposition.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    async def _livez(self, request: web.Request) -> web.Response:
        return web.Response(text="alive\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        problem = await self._not_ready()
        if problem is not None:
            return web.Response(status=503, text=f"not ready: {problem}\n")
        return web.Response(text="ready\n")

    async def _not_ready(self) -> str | None:
        if not self._discord_connected():
            return "not connected to Discord"
        try:
            await asyncio.wait_for(self._state.get(_PROBE_KEY), STATE_READ_TIMEOUT_SECONDS)
        except TimeoutError:
            return f"the state store did not answer within {STATE_READ_TIMEOUT_SECONDS:g} s"
        except Exception as error:  # sqlite3.Error, OSError: unreadable, whatever the cause
            log.warning("readiness: the state store cannot be read (%s)", type(error).__name__)
            return "the state store cannot be read"
        return None

    def _unavailable(self, error: OSError) -> MetricsUnavailable:
        reason, hint = _BIND_FAILURES.get(
            error.errno or 0,
            (
                error.strerror or type(error).__name__,
                "Check METRICS_BIND and METRICS_PORT, or set METRICS_PORT=0 (off).",
            ),
        )
        where = f"{self.bind}:{self.port} (METRICS_BIND:METRICS_PORT)"
        return MetricsUnavailable(f"Cannot serve metrics on {where}: {reason}.", hint)


# Why a bind fails, by errno, in words, with the setting to change.
_BIND_FAILURES = {
    errno.EADDRINUSE: (
        "the port is already in use by another program",
        "Choose a free METRICS_PORT, stop what listens there, or set METRICS_PORT=0 (off).",
    ),
    errno.EADDRNOTAVAIL: (
        "this machine has no such address",
        "Set METRICS_BIND to an address of this machine: 127.0.0.1, or 0.0.0.0 in a container.",
    ),
    errno.EACCES: (
        "permission denied (ports below 1024 need privileges)",
        "Set METRICS_PORT to a free port from 1024 up.",
    ),
}
