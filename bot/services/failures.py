"""Why a check did not pass, as precise exceptions that carry their own plain-words detail."""

from __future__ import annotations

from bot.errors import OpsError
from bot.services.result import Facts, Outcome
from bot.status import Status


class CheckFailed(OpsError):
    """The service could not be used; ``detail`` says why in one line, ``hint`` what to do."""

    status = Status.FAILED

    def __init__(
        self,
        detail: str,
        *,
        hint: str | None = None,
        latency_ms: float | None = None,
        facts: Facts = (),
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.hint = hint
        self.latency_ms = latency_ms
        self.facts = facts

    def outcome(self) -> Outcome:
        return Outcome(self.status, self.detail, self.latency_ms, self.facts, self.hint)


class ServiceTimeout(CheckFailed):
    """No complete answer within HTTP_TIMEOUT_SECONDS."""


class HostNotResolved(CheckFailed):
    """DNS did not know the host."""


class NothingListening(CheckFailed):
    """The host refused the connection: nothing listens on that port."""


class TlsFailure(CheckFailed):
    """The TLS handshake failed (certificate, or https spoken to a plain-http port)."""


class ConnectionFailed(CheckFailed):
    """Any other network failure (reset, closed mid-answer, unreachable network)."""


class UnexpectedAnswer(CheckFailed):
    """The body is not what this API returns (HTML from a proxy, a truncated body, another server)."""


class CredentialsRejected(CheckFailed):
    """The service refused the key or token (401/403 or its own error body)."""


class ServerError(CheckFailed):
    """The service answered 5xx."""


class UnexpectedStatus(CheckFailed):
    """Any other non-success HTTP status (often a wrong URL: 404)."""


class RateLimited(CheckFailed):
    """Too many requests right now (429): the service works, the bot must wait."""

    status = Status.DEGRADED


class QuotaExhausted(CheckFailed):
    """The key works but today's request allowance is used up."""

    status = Status.DEGRADED
