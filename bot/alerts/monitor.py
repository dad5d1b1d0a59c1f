"""The monitor: every CHECK_INTERVAL_SECONDS one round over every target, through the engine, to the outbox.

Rounds never overlap (one loop; `run_round` joins a round in progress), a target that raises or
hangs becomes a failed result instead of stopping the monitor (target_check.py), and nothing runs
at all while no alert channel is set. The clock is injected; tests drive rounds with `run_round`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.alerts.engine import AlertEngine, AlertPolicy
from bot.alerts.history import IncidentHistory
from bot.alerts.log_watch import LogWatcher
from bot.alerts.notices import Notice, NoticeKind
from bot.alerts.outbox import DELIVERY_TIMEOUT_SECONDS, Deliver, DeliveryFailed, Outbox
from bot.alerts.overview import MonitorOverview, overview
from bot.alerts.results import TargetResult
from bot.alerts.store import AlertStore
from bot.alerts.store_health import StoreHealth
from bot.alerts.target_check import TargetCheck
from bot.alerts.targets import BackupsTarget, DatabaseTarget, PersistentTarget, ServicesTarget, Target
from bot.drills.target import DrillsTarget
from bot.errors import OpsError
from bot.runtime import Runtime
from bot.status import Status

log = logging.getLogger(__name__)

RoundObserver = Callable[[Sequence[TargetResult]], Awaitable[None]]
Clock = Callable[[], datetime]
_PRUNE_EVERY = timedelta(hours=1)
_LONGEST_NAP_SECONDS = 60.0  # re-read the clock at least this often (suspend, clock changes)


class AlertsOff(OpsError):
    """Pausing, resuming or testing alerts while no alert channel is set."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__("Automatic alerts are off: set ALERT_CHANNEL_ID to the channel they should go to.")


class Monitor:
    """Runs rounds on a timer (see the module docstring); `start` and `stop` are idempotent."""

    def __init__(
        self,
        *,
        targets: Sequence[Target],
        policy: AlertPolicy,
        store: AlertStore,
        deliver: Deliver,
        interval: float,
        enabled: bool = True,
        target_timeout: float = 60.0,
        delivery_timeout: float = DELIVERY_TIMEOUT_SECONDS,
        history_days: int = 90,
        clock: Clock = lambda: datetime.now(UTC),
        on_round: RoundObserver | None = None,
    ) -> None:
        self.targets = tuple(targets)
        self.interval = interval
        self.enabled = enabled
        self.history_days = history_days
        self.target_timeout = target_timeout
        self.on_round = on_round
        self.engine = AlertEngine(policy)
        self.store = store
        late_after = timedelta(seconds=max(interval, 60))
        self.outbox = Outbox(store, deliver, clock, late_after=late_after, timeout=delivery_timeout)
        self.store_health = StoreHealth(store, self.outbox, clock)
        self._clock = clock
        self._check = TargetCheck(target_timeout)
        self._loaded = False
        self._load_lock = asyncio.Lock()
        self._engine_lock = asyncio.Lock()
        self._round: asyncio.Task[list[TargetResult]] | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._round_wanted = False
        self._window_end_seen: datetime | None = None
        self._observer_failing = False
        self._pruned_at: datetime | None = None
        self.rounds_started = 0

    @classmethod
    def from_runtime(
        cls,
        runtime: Runtime,
        deliver: Deliver,
        *,
        on_round: RoundObserver | None = None,
        interval: float | None = None,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> Monitor:
        """The bot's monitor over the runtime's runner, database, backups and log (``interval``: tests)."""
        settings = runtime.settings
        targets: list[Target] = [
            ServicesTarget(runtime.checks),
            DatabaseTarget(runtime.database),
            BackupsTarget(settings, runtime.backups, runtime.state),
            DrillsTarget(settings, runtime.state),
            LogWatcher(settings.aphrodite_log_file, runtime.redactor),
        ]
        return cls(
            targets=targets,
            policy=AlertPolicy.from_settings(settings),
            store=AlertStore(runtime.state),
            deliver=deliver,
            interval=interval or settings.check_interval_seconds,
            enabled=settings.alert_channel_id is not None,
            target_timeout=3 * settings.http_timeout_seconds + 5,
            history_days=settings.history_days,
            clock=clock,
            on_round=on_round,
        )

    @property
    def running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    def require_enabled(self) -> None:
        """Raise AlertsOff when no alert channel is set (pausing or testing would be pointless)."""
        if not self.enabled:
            raise AlertsOff()

    def start(self) -> None:
        """Start the timer (nothing without an alert channel, or when already running)."""
        if self.enabled and not self.running:
            self._loop_task = asyncio.create_task(self._loop(), name="alert-monitor")

    async def stop(self) -> None:
        """Stop the timer; a round in progress is cancelled (its results are not saved)."""
        task, self._loop_task = self._loop_task, None
        for pending in (task, self._round):
            if pending is not None and not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending

    async def run_round(self) -> list[TargetResult]:
        """One round now; joins the round in progress instead of starting a second one."""
        if self._round is None or self._round.done():
            self._round = asyncio.create_task(self._run_round(self.targets), name="alert-round")
        return await asyncio.shield(self._round)

    async def scheduled_backup_failed(self) -> None:
        """A scheduled backup just failed: its incident opens now, without waiting for more rounds."""
        if not self.enabled:
            return
        backups = [target for target in self.targets if isinstance(target, BackupsTarget)]
        if backups:
            await self._run_round(backups, confirmed=True)

    async def pause(self, duration: timedelta, by: str | None = None) -> datetime:
        """Open a maintenance window for ``duration``; returns when it ends."""
        now = self._clock()
        until = now + duration
        await self._change(lambda: self.engine.pause(until, now, by))
        return until

    async def resume(self, by: str | None = None) -> bool:
        """End the maintenance window now (False when none was open); a round follows at once."""
        notices = await self._change(lambda: self.engine.resume(self._clock(), by))
        if notices:
            self._round_wanted = True  # targets still failing alert now, not at the next round
            self._wake.set()
        return bool(notices)

    async def send_test(self, by: str | None = None) -> DeliveryFailed | None:
        """Post a test alert exactly as a failure would look; the delivery problem, if any."""
        detail = "This is a test alert: nothing is wrong. A real alert looks exactly like this."
        if by:
            detail += f" Requested by {by}."
        hint = "No action needed. If you were mentioned, alerts will reach you."
        notice = Notice(NoticeKind.TEST, self._clock(), Status.FAILED, None, detail, hint, by=by)
        await self._change(lambda: [notice])
        return self.outbox.failing

    async def overview(self) -> MonitorOverview:
        await self._load()
        return overview(
            self.engine.state,
            enabled=self.enabled,
            interval_seconds=self.interval,
            pending_notices=await self.store_health.pending_count(),
            delivery_problem=None if self.outbox.failing is None else str(self.outbox.failing),
            now=self._clock(),
            store_problem=self.store_health.problem_words,
        )

    async def history(self, target: str | None, days: int) -> IncidentHistory:
        now = self._clock()
        await self._load()
        return await self.store.history(target, now - timedelta(days=days), now)

    async def change(self, decide: Callable[[], list[Notice]]) -> list[Notice]:
        """An operator's change to the engine's state (the incident buttons): saved, its notices posted."""
        return await self._change(decide)

    async def _change(self, decide: Callable[[], list[Notice]]) -> list[Notice]:
        """Apply an operator's change to the engine, save it with its notices, post them now."""
        self.require_enabled()
        await self._load()
        async with self._engine_lock:
            notices = decide()
            await self.store_health.save(self.engine.state, notices)
        self._wake.set()  # the loop re-reads the window's end
        await self.outbox.flush()
        return notices

    async def _load(self) -> None:
        async with self._load_lock:
            if self._loaded:
                return
            persistent = [target for target in self.targets if isinstance(target, PersistentTarget)]
            self.engine.state = await self.store_health.load(persistent)
            self._loaded = True

    async def _run_round(self, targets: Sequence[Target], *, confirmed: bool = False) -> list[TargetResult]:
        await self._load()
        self.rounds_started += 1
        now = self._clock()
        found = await asyncio.gather(*(self._check(target, now) for target in targets))
        async with self._engine_lock:
            paused = self.engine.paused(now)
            results = [
                replace(result, paused=paused, confirmed=confirmed and result.bad)
                for batch in found
                for result in batch
            ]
            notices = self.engine.observe(results, now)
            values = {t.state_key: t.snapshot() for t in targets if isinstance(t, PersistentTarget)}
            await self.store_health.save(self.engine.state, notices, values)
        await self._tell_observer(results)
        await self.outbox.flush()
        await self._prune(now)
        return results

    async def _tell_observer(self, results: Sequence[TargetResult]) -> None:
        if self.on_round is None:
            return
        try:
            await self.on_round(results)
        except Exception:
            if not self._observer_failing:
                log.exception("the monitor's round observer failed (logged once until it works again)")
            self._observer_failing = True
        else:
            self._observer_failing = False

    async def _prune(self, now: datetime) -> None:
        if self._pruned_at is not None and now - self._pruned_at < _PRUNE_EVERY:
            return
        self._pruned_at = now
        await self.store_health.prune(now, self.history_days)

    async def _loop(self) -> None:
        """Deliver what waited in the outbox at once; the first round comes one interval after start."""
        loop = asyncio.get_running_loop()
        try:
            await self._load()
            await self.outbox.flush()
        except Exception:
            log.exception("the alert outbox could not be read at start; retrying with the first round")
        await self._sleep_until(loop.time() + self.interval)
        while True:
            started = loop.time()
            try:
                await self.run_round()
            except Exception:
                log.exception("a monitor round failed; the next one runs as planned")
            await self._sleep_until(started + self.interval)

    async def _sleep_until(self, next_round: float) -> None:
        """Sleep until the next round, the end of a maintenance window, or a resume, whichever is first."""
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            wait = next_round - loop.time()
            until = self.engine.state.paused_until
            now = self._clock()
            if until is not None and until != self._window_end_seen:
                if until <= now:  # the window just ended: its round announces it and alerts what fails
                    self._window_end_seen = until
                    return
                wait = min(wait, (until - now).total_seconds() + 0.01)
            if wait <= 0 or self._round_wanted:
                self._round_wanted = False
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(wait, _LONGEST_NAP_SECONDS))
