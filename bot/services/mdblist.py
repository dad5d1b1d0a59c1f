"""MDBList: `/user` says whether the key works and how much of today's quota is left."""

from __future__ import annotations

from bot.services.credentials import CredentialField, ServiceCredentials
from bot.services.failures import CredentialsRejected, QuotaExhausted
from bot.services.probe import HttpProbe, raise_for_status
from bot.services.result import Facts, Outcome
from bot.services.service import Service
from bot.status import Status

SERVICE = Service("mdblist", "MDBList", "Test the MDBList key and today's quota")
SECTION = "MDBList"
FIELDS = (
    CredentialField("url", "MDBLIST_URL"),
    CredentialField("api_key", "MDBLIST_API_KEY", "api_key"),
)
QUOTA_HINT = "MDBList's daily allowance resets every day; supporters get a larger one."


def known_facts(credentials: ServiceCredentials) -> Facts:
    return (("Address", credentials["url"].rstrip("/")),)


async def check(probe: HttpProbe, credentials: ServiceCredentials) -> Outcome:
    base = credentials["url"].rstrip("/")
    reply = await probe.get(f"{base}/user", params={"apikey": credentials["api_key"]})
    body = reply.json_or_none()
    error = str(body.get("error") or "") if isinstance(body, dict) and body.get("response") is False else ""
    rejected_hint = f"Check {credentials.where('api_key')} (mdblist.com → Preferences → API key)."
    if "limit" in error.lower():
        raise QuotaExhausted(f"Daily quota used up: {error}", hint=QUOTA_HINT, latency_ms=reply.latency_ms)
    raise_for_status(reply, error or None, rejected_hint=rejected_hint)
    if error:
        # MDBList reports a bad key in the body of a 200.
        raise CredentialsRejected(
            f"Rejected the API key: {error}", hint=rejected_hint, latency_ms=reply.latency_ms
        )
    if not isinstance(body, dict):
        raise reply.unexpected("not JSON" if body is None else "not an MDBList answer")
    limit, used = body.get("api_requests"), body.get("api_requests_count")
    if not isinstance(limit, int) or not isinstance(used, int):
        raise reply.unexpected("not MDBList's user information")
    facts = [("Requests today", f"{used} of {limit} used")]
    if body.get("patron_status"):
        facts.append(("Patron status", str(body["patron_status"])))
    if used >= limit:
        raise QuotaExhausted(
            f"Daily quota used up: {used} of {limit} requests used today",
            hint=QUOTA_HINT,
            latency_ms=reply.latency_ms,
            facts=tuple(facts),
        )
    return Outcome(
        Status.OK, f"{limit - used} of {limit} requests left today", reply.latency_ms, tuple(facts)
    )
