"""One target's results within a time limit: a target that raises or hangs becomes a failed result."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.alerts.results import TargetResult
from bot.alerts.targets import Target
from bot.status import Status

log = logging.getLogger(__name__)


class TargetCheck:
    """Checks targets for the monitor; a crash is logged once until that target works again."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._crashed: set[str] = set()

    async def __call__(self, target: Target, now: datetime) -> list[TargetResult]:
        name = "/".join(target.keys)
        try:
            results = await asyncio.wait_for(target(now), timeout=self.timeout)
        except TimeoutError:
            detail = f"No answer within {self.timeout:g} s"
            return [TargetResult(key, now, Status.FAILED, None, detail) for key in target.keys]
        except Exception:
            if name not in self._crashed:
                log.exception("the %s monitor check crashed (logged once until it works again)", name)
                self._crashed.add(name)
            detail = "The check itself crashed (see the bot's log)"
            return [TargetResult(key, now, Status.FAILED, None, detail) for key in target.keys]
        self._crashed.discard(name)
        return results
