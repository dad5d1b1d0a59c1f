"""What a check found: the plain data the cog and the CLI render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.status import Status

Facts = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Outcome:
    """A service check's own finding, before the runner stamps who, when and from which credentials."""

    status: Status
    detail: str
    latency_ms: float | None = None
    facts: Facts = ()
    hint: str | None = None

    def redacted(self, redact: Callable[[str], str]) -> Outcome:
        """A copy with every text passed through ``redact`` (a Redactor)."""
        return replace(
            self,
            detail=redact(self.detail),
            facts=tuple((redact(label), redact(value)) for label, value in self.facts),
            hint=None if self.hint is None else redact(self.hint),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "detail": self.detail,
            "latency_ms": self.latency_ms,
            "facts": [list(fact) for fact in self.facts],
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        facts = tuple((label, value) for label, value in data["facts"])
        return cls(Status(data["status"]), data["detail"], data["latency_ms"], facts, data["hint"])


@dataclass(frozen=True)
class CheckResult:
    """One service's result.

    ``detail`` is one human line (server name and version, quota left, the service's own error);
    ``facts`` are (label, value) pairs for the detailed view; ``hint`` says what to do when the
    result is not OK; ``credential_source`` says where the credentials came from (None: nowhere).
    Every text is already redacted: no key or token appears in any field.
    """

    service: str
    display_name: str
    status: Status
    latency_ms: float | None
    detail: str
    facts: Facts
    credential_source: str | None
    checked_at: datetime
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, used by `--json` and by the state store."""
        return {
            "service": self.service,
            "display_name": self.display_name,
            "status": self.status.value,
            "latency_ms": self.latency_ms,
            "detail": self.detail,
            "facts": [[label, value] for label, value in self.facts],
            "credential_source": self.credential_source,
            "checked_at": self.checked_at.isoformat(),
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            service=data["service"],
            display_name=data["display_name"],
            status=Status(data["status"]),
            latency_ms=data["latency_ms"],
            detail=data["detail"],
            facts=tuple((label, value) for label, value in data["facts"]),
            credential_source=data["credential_source"],
            checked_at=datetime.fromisoformat(data["checked_at"]),
            hint=data["hint"],
        )
