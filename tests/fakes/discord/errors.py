"""Requests Discord refuses, and the error bodies it answers them with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Path = Sequence[str | int]


class DiscordRejection(Exception):
    """A request Discord would refuse; the server answers it with ``body()`` and records a violation."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.details = tuple(details)

    def body(self) -> dict[str, Any]:
        """Discord's JSON error object."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unknown_route() -> DiscordRejection:
    return DiscordRejection(404, 0, "404: Not Found")


def unauthorized() -> DiscordRejection:
    return DiscordRejection(401, 0, "401: Unauthorized")


def missing_access() -> DiscordRejection:
    return DiscordRejection(403, 50001, "Missing Access")


def unknown_channel() -> DiscordRejection:
    return DiscordRejection(404, 10003, "Unknown Channel")


def unknown_message() -> DiscordRejection:
    return DiscordRejection(404, 10008, "Unknown Message")


def unknown_webhook() -> DiscordRejection:
    return DiscordRejection(404, 10015, "Unknown Webhook")


def invalid_webhook_token() -> DiscordRejection:
    """An interaction token used after its 15 minutes."""
    return DiscordRejection(401, 50027, "Invalid Webhook Token")


def unknown_interaction() -> DiscordRejection:
    return DiscordRejection(404, 10062, "Unknown interaction")


def already_acknowledged() -> DiscordRejection:
    return DiscordRejection(400, 40060, "Interaction has already been acknowledged.")


def entity_too_large(detail: str) -> DiscordRejection:
    return DiscordRejection(413, 40005, "Request entity too large", details=(detail,))


def empty_message() -> DiscordRejection:
    return DiscordRejection(400, 50006, "Cannot send an empty message")


def invalid_json() -> DiscordRejection:
    return DiscordRejection(400, 50109, "The request body contains invalid JSON.")


class FormErrors:
    """Collects field errors into Discord's nested ``errors`` object (``{"embeds": {"0": {...}}}``)."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}
        self.details: list[str] = []

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.details.append(f"{'.'.join(map(str, path))}: {message}")

    def too_long(self, path: Path, limit: int) -> None:
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def required(self, path: Path) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def raise_if_any(self) -> None:
        """Raise Discord's 400 Invalid Form Body if any error was added."""
        if self.details:
            raise DiscordRejection(400, 50035, "Invalid Form Body", errors=self.tree, details=self.details)
