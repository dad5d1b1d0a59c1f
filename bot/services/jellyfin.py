"""Jellyfin: the server answers with the API key, and the configured user exists."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from bot.services.credentials import CredentialField, ServiceCredentials
from bot.services.failures import CheckFailed
from bot.services.probe import HttpProbe, Reply, raise_for_status
from bot.services.result import Facts, Outcome
from bot.services.service import Service
from bot.status import Status

SERVICE = Service("jellyfin", "Jellyfin", "Test Jellyfin (server and configured user)")
SECTION = "Jellyfin"
FIELDS = (
    CredentialField("url", "JELLYFIN_URL", "url"),
    CredentialField("api_key", "JELLYFIN_API_KEY", "api_key"),
    CredentialField("user_id", "JELLYFIN_USER_ID", "user_id", required=False),
)


def known_facts(credentials: ServiceCredentials) -> Facts:
    return (
        ("Address", server_url(credentials["url"])),
        ("User id", credentials.get("user_id") or "none configured (JELLYFIN_USER_ID)"),
    )


async def check(probe: HttpProbe, credentials: ServiceCredentials) -> Outcome:
    base = server_url(credentials["url"])
    headers = {"Authorization": f'MediaBrowser Token="{credentials["api_key"]}"'}
    rejected_hint = f"Check {credentials.where('api_key')}: create a key in Jellyfin → Dashboard → API Keys."

    reply = await probe.get(f"{base}/System/Info", headers=headers)
    raise_for_status(reply, None, rejected_hint=rejected_hint)
    info = reply.json()
    if not isinstance(info, dict) or not info.get("Version"):
        raise reply.unexpected("not Jellyfin's system information")
    name, version = str(info.get("ServerName") or "?"), str(info["Version"])
    server = f"Jellyfin Server '{name}' {version}"
    facts: tuple[tuple[str, str], ...] = (("Server", name), ("Version", version))
    if info.get("OperatingSystem"):
        facts += (("Operating system", str(info["OperatingSystem"])),)

    user_id = credentials.get("user_id")
    if not user_id:
        return Outcome(Status.OK, server, reply.latency_ms, facts)
    user_reply = await probe.get(f"{base}/Users/{quote(user_id, safe='')}", headers=headers)
    latency_ms = reply.latency_ms + user_reply.latency_ms
    user_name = _user_name(user_reply, user_id)
    if user_name is None:
        raise CheckFailed(
            f"Server reachable, but user {user_id} not found",
            hint=f"Aphrodite reads metadata as this user: fix {credentials.where('user_id')} "
            "(Jellyfin → your profile: the id is in the page's URL).",
            latency_ms=latency_ms,
            facts=(*facts, ("User", "not found")),
        )
    return Outcome(
        Status.OK, f"{server}, user '{user_name}' found", latency_ms, (*facts, ("User", user_name))
    )


def _user_name(reply: Reply, user_id: str) -> str | None:
    """The configured user's name, or None when Jellyfin has no such user."""
    if reply.status in (400, 404):
        return None
    raise_for_status(
        reply,
        None,
        rejected_hint=f"The key works for the server but not for user {user_id}: check its permissions.",
    )
    user = reply.json()
    if not isinstance(user, dict):
        raise reply.unexpected("not a Jellyfin user")
    return str(user.get("Name") or "?")


def server_url(url: str) -> str:
    """The base URL without a trailing slash; a bare ``host:port`` (accepted by Aphrodite) gets http://."""
    url = url.strip().rstrip("/")
    if not urlsplit(url).scheme or "://" not in url:
        url = f"http://{url}"
    return url
