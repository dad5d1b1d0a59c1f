"""TMDB: `/authentication` with a v3 API key or a v4 read access token, told apart by their shape."""

from __future__ import annotations

import re

from bot.services.credentials import CredentialField, ServiceCredentials
from bot.services.failures import CheckFailed, RateLimited
from bot.services.probe import HttpProbe, raise_for_status
from bot.services.result import Facts, Outcome
from bot.services.service import Service
from bot.status import Status

SERVICE = Service("tmdb", "TMDB", "Test the TMDB key or read token")
SECTION = "TMDB"
FIELDS = (
    CredentialField("url", "TMDB_URL"),
    CredentialField("api_key", "TMDB_API_KEY", "api_key"),
)
V3_KEY = "v3 API key"
V4_TOKEN = "v4 read access token"
RATE_LIMITED_CODE = 25
_V3_SHAPE = re.compile(r"[0-9a-fA-F]{32}")


def key_kind(key: str) -> str | None:
    """V4_TOKEN for a JWT (``eyJ…`` with two dots), V3_KEY for 32 hex characters, else None."""
    if key.startswith("eyJ") and key.count(".") == 2:
        return V4_TOKEN
    if _V3_SHAPE.fullmatch(key):
        return V3_KEY
    return None


def known_facts(credentials: ServiceCredentials) -> Facts:
    kind = key_kind(credentials["api_key"]) or f"{V3_KEY} (unrecognised shape)"
    return (("Address", _base(credentials)), ("Key type", kind))


async def check(probe: HttpProbe, credentials: ServiceCredentials) -> Outcome:
    key = credentials["api_key"]
    kind = key_kind(key)
    if kind == V4_TOKEN:
        reply = await probe.get(
            f"{_base(credentials)}/authentication", headers={"Authorization": f"Bearer {key}"}
        )
    else:
        reply = await probe.get(f"{_base(credentials)}/authentication", params={"api_key": key})
    sent_as = kind or f"{V3_KEY} (unrecognised shape)"
    body = reply.json_or_none()
    message = str(body.get("status_message") or "") if isinstance(body, dict) else ""
    if reply.status == 429 or (isinstance(body, dict) and body.get("status_code") == RATE_LIMITED_CODE):
        raise RateLimited(
            f"Rate limited: {message or 'HTTP 429'}",
            hint="TMDB allows about 40 requests per second per IP; it clears within seconds.",
            latency_ms=reply.latency_ms,
        )
    shape_note = (
        "" if kind else " It is neither a v3 key (32 hex characters) nor a v4 read token (starts with eyJ)."
    )
    raise_for_status(
        reply,
        message or None,
        credential=sent_as,
        rejected_hint=f"Check {credentials.where('api_key')} (TMDB → Settings → API).{shape_note}",
    )
    if not isinstance(body, dict):
        raise reply.unexpected("not JSON" if body is None else "not a TMDB answer")
    if body.get("success") is not True:
        raise CheckFailed(
            f"TMDB refused: {message or reply.excerpt()}",
            hint=f"Check {credentials.where('api_key')}.{shape_note}",
            latency_ms=reply.latency_ms,
        )
    return Outcome(Status.OK, f"Accepted the {sent_as}", reply.latency_ms)


def _base(credentials: ServiceCredentials) -> str:
    return credentials["url"].rstrip("/")
