"""What can go wrong with off-site copies, as messages safe to show."""

from __future__ import annotations

from bot.errors import OpsError


class OffsiteNotConfigured(OpsError):
    """OFFSITE_URL is unset, or a setting the operation needs is missing; the message names it."""

    exit_code = 3


class OffsiteFailed(OpsError):
    """An upload, download or deletion that did not complete; nothing was recorded as done."""

    exit_code = 2


class CopyRefused(OffsiteFailed):
    """A remote copy that does not match what was uploaded (checksum, size, decryption): not used."""
