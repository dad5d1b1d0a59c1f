"""OMDb: one title lookup (The Matrix) with the API key."""

from __future__ import annotations

from bot.services.credentials import CredentialField, ServiceCredentials
from bot.services.failures import CheckFailed, QuotaExhausted
from bot.services.probe import HttpProbe, raise_for_status
from bot.services.result import Facts, Outcome
from bot.services.service import Service
from bot.status import Status

SERVICE = Service("omdb", "OMDb", "Test the OMDb API key")
SECTION = "OMDB"
FIELDS = (
    CredentialField("url", "OMDB_URL"),
    CredentialField("api_key", "OMDB_API_KEY", "api_key"),
)
PROBE_TITLE = "tt0133093"


def known_facts(credentials: ServiceCredentials) -> Facts:
    return (("Address", credentials["url"]),)


async def check(probe: HttpProbe, credentials: ServiceCredentials) -> Outcome:
    reply = await probe.get(credentials["url"], params={"apikey": credentials["api_key"], "i": PROBE_TITLE})
    body = reply.json_or_none()
    error = str(body.get("Error") or "") if isinstance(body, dict) and body.get("Response") == "False" else ""
    rejected_hint = (
        f"Check {credentials.where('api_key')}; OMDb sends new keys by e-mail and they must be activated."
    )
    if "limit" in error.lower():
        # OMDb answers 401 both for a bad key and for a used-up daily allowance.
        raise QuotaExhausted(
            f"Daily request limit reached: {error}",
            hint="Free OMDb keys allow 1,000 requests a day; it resets daily (or use a patron key).",
            latency_ms=reply.latency_ms,
        )
    raise_for_status(reply, error or None, rejected_hint=rejected_hint)
    if body is None:
        raise reply.unexpected("not JSON")
    if error:
        raise CheckFailed(
            f"OMDb answered with an error: {error}",
            hint="The key works but the lookup failed; check OMDB_URL points at the OMDb API.",
            latency_ms=reply.latency_ms,
        )
    if not isinstance(body, dict) or body.get("Response") != "True":
        raise reply.unexpected("not an OMDb answer")
    found = f"'{body.get('Title', '?')}' ({body.get('Year', '?')})"
    facts = (("Test lookup", f"{PROBE_TITLE} → {found}"),)
    return Outcome(Status.OK, f"Key works: found {found}", reply.latency_ms, facts)
