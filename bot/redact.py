"""Removes secrets from any text before the bot shows, uploads or logs it."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"

# Every pattern below needs one of these words; text without any is returned untouched, fast.
_TRIGGERS = ("key", "token", "pass", "pwd", "secret", "authorization", "bearer", "://")

# Values that look like credentials wherever they appear, known to the bot or not.
_PATTERNS = [
    # apikey=..., api_key: ..., token=..., password=..., secret=... (query strings, key=value logs)
    re.compile(
        r"(?i)(?P<key>(?<![A-Za-z0-9])(?:api[_-]?key|apikey|access[_-]?token|token|password|passwd|pass|pwd|"
        r"secret|client[_-]?secret)"
        r"[\"']?\s*[=:]\s*[\"']?)(?P<value>[^\s&\"',;)]+)"
    ),
    # Authorization: Bearer xyz / MediaBrowser Token="xyz" / Basic xyz
    re.compile(r"(?i)(?P<key>\bauthorization[\"']?\s*[=:]\s*)(?P<value>[^\n]+)"),
    re.compile(r"(?i)(?P<key>\bbearer\s+)(?P<value>[A-Za-z0-9._~+/=-]+)"),
    re.compile(r"(?i)(?P<key>\btoken=\")(?P<value>[^\"]+)"),
    # scheme://user:password@host
    re.compile(r"(?P<key>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<value>[^@\s/]+)(?=@)"),
]


class Redactor:
    """Masks known secret values and anything shaped like a credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def with_secrets(self, secrets: Iterable[str]) -> Redactor:
        """A redactor that also knows these values (e.g. keys read from Aphrodite's database)."""
        return Redactor([*self._secrets, *secrets])

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        lowered = text.lower()
        if not any(trigger in lowered for trigger in _TRIGGERS):
            return text
        for pattern in _PATTERNS:
            text = pattern.sub(_mask_value, text)
        return text


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value")
    if value.startswith(MASK):
        return match.group(0)
    return match.group("key") + MASK
