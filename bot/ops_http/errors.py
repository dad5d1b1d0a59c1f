"""Why the operators' HTTP endpoint could not start (the bot stops with this, exit status 3)."""

from __future__ import annotations

from bot.config import ConfigError


class MetricsUnavailable(ConfigError):
    """METRICS_BIND:METRICS_PORT cannot be listened on; ``hint`` says what to change."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint
