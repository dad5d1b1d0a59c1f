"""AniDB: one HTTP API anime lookup with the registered client name and version.

AniDB answers gzipped XML, with errors as HTTP 200 ``<error code="...">...</error>``. It bans
clients that ask too often; anidb_guard.py decides whether this request may be sent at all.
"""

from __future__ import annotations

import zlib
from xml.etree import ElementTree

from bot.errors import OpsError
from bot.services.credentials import CredentialField, ServiceCredentials
from bot.services.failures import CheckFailed, CredentialsRejected
from bot.services.probe import MAX_BODY_BYTES, HttpProbe, Reply, raise_for_status
from bot.services.result import Facts, Outcome
from bot.services.service import Service
from bot.status import Status

SERVICE = Service(
    "anidb",
    "AniDB",
    "Test the AniDB HTTP API client (rate-limited, cached)",
    ban_guarded=True,
)
SECTION = "aniDB"
FIELDS = (
    CredentialField("url", "ANIDB_URL"),
    CredentialField("client", "ANIDB_CLIENT", "client_name"),
    CredentialField("version", "ANIDB_CLIENT_VERSION", "version"),
)
PROBE_ANIME_ID = "1"
_GZIP_MAGIC = b"\x1f\x8b"


class AniDBBanned(OpsError):
    """AniDB answered ``banned``: nothing more may be asked for hours."""

    def __init__(self, message: str) -> None:
        super().__init__(f"AniDB banned this client: {message}")
        self.message = message


def known_facts(credentials: ServiceCredentials) -> Facts:
    return (("Address", credentials["url"]), ("Client", f"{credentials['client']} v{credentials['version']}"))


async def check(probe: HttpProbe, credentials: ServiceCredentials) -> Outcome:
    client, version = credentials["client"], credentials["version"]
    reply = await probe.get(
        credentials["url"],
        params={
            "request": "anime",
            "client": client,
            "clientver": version,
            "protover": "1",
            "aid": PROBE_ANIME_ID,
        },
    )
    client_hint = (
        f"Register an HTTP API client at https://anidb.net/software/add, then set "
        f"{credentials.where('client')} and {credentials.where('version')} to its name and version."
    )
    raise_for_status(reply, None, credential="client", rejected_hint=client_hint)
    root = _xml_root(reply)
    if root.tag == "error":
        message = (root.text or "").strip() or "(no message)"
        if "banned" in message.lower():
            raise AniDBBanned(message)
        if "client" in message.lower():
            raise CredentialsRejected(
                f"AniDB refused client '{client}' v{version}: {message}",
                hint=client_hint,
                latency_ms=reply.latency_ms,
            )
        raise CheckFailed(
            f"AniDB answered with an error: {message} (code {root.get('code', '?')})",
            hint="See https://wiki.anidb.net/HTTP_API_Definition for this error.",
            latency_ms=reply.latency_ms,
        )
    if root.tag != "anime":
        raise reply.unexpected(f"not AniDB's anime XML (root element <{root.tag}>)")
    title = _main_title(root)
    facts = (("Test lookup", f"anime {PROBE_ANIME_ID} → {title}"),)
    return Outcome(
        Status.OK, f"Client '{client}' v{version} works: anime 1 is '{title}'", reply.latency_ms, facts
    )


def _xml_root(reply: Reply) -> ElementTree.Element:
    body = reply.body
    # AniDB gzips every answer; aiohttp already inflated it when Content-Encoding said so.
    if body.startswith(_GZIP_MAGIC):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, MAX_BODY_BYTES)
        except zlib.error:
            raise reply.unexpected("not valid gzip") from None
        if not inflater.eof:
            raise reply.unexpected("a truncated gzip stream")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise reply.unexpected("not XML", body) from None


def _main_title(anime: ElementTree.Element) -> str:
    for title in anime.iter("title"):
        if title.get("type") == "main" and title.text:
            return title.text.strip()
    return "?"
