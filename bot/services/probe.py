"""One timed HTTP GET whose every network failure becomes a precise, plain-words CheckFailed.

Redirects are followed here, not by aiohttp, so that a failure names the host that failed (the
one redirected to), not the first; like aiohttp, credentials are not sent on to another origin.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import yarl

from bot.services.failures import (
    CheckFailed,
    ConnectionFailed,
    CredentialsRejected,
    HostNotResolved,
    NothingListening,
    RateLimited,
    ServerError,
    ServiceTimeout,
    TlsFailure,
    UnexpectedAnswer,
    UnexpectedStatus,
)

# Bigger than any answer we ask for (AniDB's anime 1 is ~50 KB); a runaway body stops here.
MAX_BODY_BYTES = 2 * 1024 * 1024
EXCERPT_CHARS = 120
MAX_REDIRECTS = 10
_REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
_ORIGIN_BOUND_HEADERS = frozenset(("authorization", "cookie", "proxy-authorization"))

Redact = Callable[[str], str]


@dataclass(frozen=True)
class Reply:
    """A complete HTTP answer and how long it took."""

    status: int
    content_type: str
    headers: Mapping[str, str]
    body: bytes
    latency_ms: float
    redact: Redact = field(repr=False, compare=False)

    def excerpt(self, body: bytes | None = None) -> str:
        """A short, redacted, single-line quote of the body for error details."""
        return excerpt(self.body if body is None else body, self.redact)

    def json(self) -> Any:
        """The parsed body; UnexpectedAnswer (with a quote of it) when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise self.unexpected("not JSON") from None

    def json_or_none(self) -> Any:
        """The parsed body, or None: for error answers that may or may not carry JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def unexpected(self, what: str, body: bytes | None = None) -> UnexpectedAnswer:
        """'Answered with something that is <what>': the body (or its inflated ``body``) is not this API's."""
        kind = self.content_type or "no content type"
        return UnexpectedAnswer(
            f"Answered with something that is {what} (HTTP {self.status}, {kind}): {self.excerpt(body)}",
            hint="Check the URL: it may point at a proxy, a login page or another server.",
            latency_ms=self.latency_ms,
        )


def excerpt(body: bytes, redact: Redact) -> str:
    if not body:
        return "(empty body)"
    text = body.decode("utf-8", errors="replace")
    if text.count("\ufffd") > len(text) // 4:
        return f"({len(body)} bytes of binary data)"
    # Redact before cutting, so a secret cut in half cannot slip past the redactor.
    text = redact(re.sub(r"\s+", " ", text).strip())
    return repr(text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…")


class HttpProbe:
    """GETs over the shared session with the per-call timeout of HTTP_TIMEOUT_SECONDS."""

    def __init__(self, session: aiohttp.ClientSession, timeout_seconds: float, redact: Redact) -> None:
        self._session = session
        self.timeout_seconds = timeout_seconds
        self.redact = redact

    async def get(
        self, url: str, *, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        hop = _Hop(_http_url(url), params, dict(headers or {}))
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout_seconds):  # for the whole chain of redirects
                status, content_type, reply_headers, body = await self._follow(hop)
        except _TooManyRedirects:
            raise ConnectionFailed(
                f"More than {MAX_REDIRECTS} redirects, the last from {hop.where}",
                hint="Check the URL: the service (or a proxy) redirects in a loop.",
            ) from None
        except TimeoutError:
            raise ServiceTimeout(
                f"No answer from {hop.where} within {self.timeout_seconds:g} s (timeout)",
                hint="Is the service up and reachable from the bot? The limit is HTTP_TIMEOUT_SECONDS.",
            ) from None
        except aiohttp.ClientConnectorDNSError:
            raise HostNotResolved(
                f"Host {hop.url.host} could not be resolved (DNS)",
                hint="Check the host name in the URL, and that the bot's DNS can resolve it.",
            ) from None
        except aiohttp.ClientConnectorCertificateError as error:
            reason = getattr(error.certificate_error, "verify_message", None) or str(error.certificate_error)
            raise TlsFailure(
                f"TLS error with {hop.where}: certificate not trusted ({self.redact(reason)})",
                hint="Use a certificate the bot trusts (e.g. Let's Encrypt), or the server's http:// URL.",
            ) from None
        except aiohttp.ClientSSLError as error:
            raise TlsFailure(
                f"TLS error with {hop.where}: {self.redact(_ssl_reason(error))}",
                hint="Check the URL's scheme: https:// to a plain-http port fails like this.",
            ) from None
        except aiohttp.ClientConnectorError as error:
            if isinstance(error.os_error, ConnectionRefusedError):
                raise NothingListening(
                    f"Nothing listening at {hop.where} (connection refused)",
                    hint="Is the service running? Check the host and port in the URL.",
                ) from None
            reason = self.redact(error.os_error.strerror or str(error.os_error))
            raise ConnectionFailed(
                f"Cannot connect to {hop.where}: {reason}",
                hint="Check the URL and the network between the bot and the service.",
            ) from None
        except aiohttp.ServerDisconnectedError:
            raise ConnectionFailed(
                f"{hop.where} closed the connection without answering",
                hint="The service or a proxy in front of it dropped the request; check their logs.",
            ) from None
        except aiohttp.ClientPayloadError:
            raise ConnectionFailed(
                f"{hop.where} closed the connection before the answer was complete",
                hint="The service or a proxy in front of it broke off the answer; check their logs.",
            ) from None
        except aiohttp.ClientError as error:
            raise ConnectionFailed(
                f"Request to {hop.where} failed: {self.redact(str(error) or type(error).__name__)}",
                hint="Check the URL and the network between the bot and the service.",
            ) from None
        latency_ms = round((time.monotonic() - started) * 1000, 1)
        return Reply(status, content_type, reply_headers, body, latency_ms, self.redact)

    async def _follow(self, hop: _Hop) -> tuple[int, str, dict[str, str], bytes]:
        """GET ``hop``, following redirects (``hop`` moves along): status, content type, headers, body."""
        for _ in range(MAX_REDIRECTS + 1):
            async with self._session.get(
                hop.url,
                params=hop.params,
                headers=hop.headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            ) as response:
                location = response.headers.get("Location") if response.status in _REDIRECT_STATUSES else None
                if location is None:
                    body = await _read_capped(response.content)
                    return response.status, response.content_type, dict(response.headers), body
            hop.redirect(location)
        raise _TooManyRedirects()


class _TooManyRedirects(Exception):
    """More than MAX_REDIRECTS redirects in a row."""


@dataclass
class _Hop:
    """The request in flight; a redirect moves it, so every error names the host it failed on."""

    url: yarl.URL
    params: Mapping[str, str] | None
    headers: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.url.host}:{self.url.port}"

    def redirect(self, location: str) -> None:
        """Move to ``location``; credentials stay behind when it is another origin (as aiohttp does)."""
        if (target := _parsed_http_url(location, self.url)) is None:
            raise CheckFailed(
                f"{self.where} redirected to something that is not an http(s) URL",
                hint="Check the URL: the service (or a proxy in front of it) redirects somewhere odd.",
            )
        if target.origin() != self.url.origin():
            self.headers = {k: v for k, v in self.headers.items() if k.lower() not in _ORIGIN_BOUND_HEADERS}
        self.url, self.params = target, None


def _http_url(url: str) -> yarl.URL:
    if (target := _parsed_http_url(url)) is None:
        raise CheckFailed(
            f"The URL {url!r} is not an http(s) URL",
            hint="Set the service's URL to something like https://host:port.",
        )
    return target


async def _read_capped(content: aiohttp.StreamReader) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < MAX_BODY_BYTES:
        chunk = await content.read(MAX_BODY_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _ssl_reason(error: aiohttp.ClientSSLError) -> str:
    os_error = getattr(error, "os_error", None)
    reason = getattr(os_error, "reason", None)
    if reason == "WRONG_VERSION_NUMBER":
        return "the server does not speak TLS there (is it plain http?)"
    return str(reason or os_error or error)


def raise_for_status(
    reply: Reply, message: str | None, *, rejected_hint: str, credential: str = "API key"
) -> None:
    """Raise the CheckFailed for a non-success status; ``message`` is the service's own error text."""
    if 200 <= reply.status < 300:
        return
    said = f": {message}" if message else ""
    latency = reply.latency_ms
    if reply.status in (401, 403):
        raise CredentialsRejected(
            f"Rejected the {credential} (HTTP {reply.status}){said}",
            hint=rejected_hint,
            latency_ms=latency,
        )
    if reply.status == 429:
        retry = reply.headers.get("Retry-After")
        raise RateLimited(
            f"Rate limited (HTTP 429){said}" + (f"; retry after {retry} s" if retry else ""),
            hint="Too many requests right now (Aphrodite shares this key); it should clear on its own.",
            latency_ms=latency,
        )
    if reply.status >= 500:
        raise ServerError(
            f"Server error {reply.status}{said or _quote(reply)}",
            hint="The service itself is failing; try again later and check its status page or logs.",
            latency_ms=latency,
        )
    raise UnexpectedStatus(
        f"Answered HTTP {reply.status}{said or _quote(reply)}",
        hint="Check the URL (path and port): the service did not expect this request.",
        latency_ms=latency,
    )


def _quote(reply: Reply) -> str:
    return f": {reply.excerpt()}" if reply.body.strip() else ""


def _parsed_http_url(text: str, base: yarl.URL | None = None) -> yarl.URL | None:
    """``text`` as an absolute http(s) URL (resolved against ``base``), or None when it is not one."""
    try:
        target = yarl.URL(text) if base is None else base.join(yarl.URL(text))
    except ValueError:
        return None
    return target if target.scheme in ("http", "https") and target.host else None
