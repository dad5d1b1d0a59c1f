"""What each fake service answers, in each mode: the real APIs' status codes and bodies."""

from __future__ import annotations

import gzip
import json
from typing import Any

from aiohttp import web

from tests.fakes.services.fake_service import FakeService, Responder

JELLYFIN_API_KEY = "jf0123456789abcdef0123456789abcd"
JELLYFIN_USER_ID = "5d1f3b2c8e6a4f0b9c7d2e1a3b4c5d6e"
JELLYFIN_SERVER_NAME = "Media"
JELLYFIN_VERSION = "10.9.11"
OMDB_API_KEY = "0a1b2c3d"
TMDB_V3_KEY = "0123456789abcdef0123456789abcdef"
TMDB_V4_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiIwMTIzNDU2Nzg5YWJjZGVmIn0.c2lnbmF0dXJlLW9mLWZha2U"
MDBLIST_API_KEY = "mdbl1st0a9b8c7d6e5f4g3h2i1"
ANIDB_CLIENT = "aphroditeops"
ANIDB_CLIENT_VERSION = "1"
# OMDb's "hostile" mode: an error text carrying Discord markup, a masked link and a mass mention.
HOSTILE_ERROR = "[click](http://evil) @everyone ````"
SECRETS = (JELLYFIN_API_KEY, OMDB_API_KEY, TMDB_V3_KEY, TMDB_V4_TOKEN, MDBLIST_API_KEY)


# --- shared answers --------------------------------------------------------------------------------


def _json(status: int, body: Any) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def _html_page(request: web.Request) -> web.Response:
    # Like a reverse proxy's or captive portal's page, quoting the URL (and so the api key).
    return web.Response(
        text=f"<html><body>Sign in to see {request.url}</body></html>", content_type="text/html"
    )


def _truncated_json(body: Any) -> web.Response:
    text = json.dumps(body)
    return web.Response(text=text[: len(text) // 2], content_type="application/json")


def _common(fake: FakeService, request: web.Request, *, ok_body: Any) -> web.Response | None:
    """The answers every service gives alike in garbage, truncated and server_error modes."""
    if fake.mode == "garbage":
        return _html_page(request)
    if fake.mode == "truncated":
        return _truncated_json(ok_body)
    if fake.mode == "server_error":
        return web.Response(
            status=503,
            text="<html><body><h1>503 Service Unavailable</h1></body></html>",
            content_type="text/html",
        )
    return None


# --- Jellyfin --------------------------------------------------------------------------------------

SYSTEM_INFO = {
    "OperatingSystemDisplayName": "Linux",
    "HasPendingRestart": False,
    "IsShuttingDown": False,
    "SupportsLibraryMonitor": True,
    "WebSocketPortNumber": 8096,
    "CanSelfRestart": False,
    "CanLaunchWebBrowser": False,
    "ProgramDataPath": "/config",
    "CachePath": "/cache",
    "LogPath": "/config/log",
    "HasUpdateAvailable": False,
    "EncoderLocation": "System",
    "SystemArchitecture": "X64",
    "LocalAddress": "http://172.18.0.2:8096",
    "ServerName": JELLYFIN_SERVER_NAME,
    "Version": JELLYFIN_VERSION,
    "OperatingSystem": "Linux",
    "Id": "b1a2c3d4e5f60718293a4b5c6d7e8f90",
    "ProductName": "Jellyfin Server",
}
JELLYFIN_USER = {
    "Name": "aphrodite",
    "ServerId": SYSTEM_INFO["Id"],
    "Id": JELLYFIN_USER_ID,
    "HasPassword": True,
}


async def _jellyfin(fake: FakeService, request: web.Request) -> web.Response:
    if (answer := _common(fake, request, ok_body=SYSTEM_INFO)) is not None:
        return answer
    if fake.mode == "quota":
        return web.Response(status=429, headers={"Retry-After": "30"})
    token = request.headers.get("Authorization", "").partition('Token="')[2].rstrip('"')
    if fake.mode == "bad_key" or token != JELLYFIN_API_KEY:
        return web.Response(status=401)  # Jellyfin's answer to a bad key: no body at all
    if request.path == "/System/Info":
        return _json(200, SYSTEM_INFO)
    if request.path.startswith("/Users/"):
        user_id = request.path.removeprefix("/Users/").replace("-", "")
        if len(user_id) != 32 or any(c not in "0123456789abcdefABCDEF" for c in user_id):
            return _json(400, {"title": "One or more validation errors occurred.", "status": 400})
        if user_id.lower() != JELLYFIN_USER_ID:
            return web.Response(status=404, text="User not found", content_type="text/plain")
        return _json(200, JELLYFIN_USER)
    return web.Response(status=404)


# --- OMDb ------------------------------------------------------------------------------------------

MATRIX = {
    "Title": "The Matrix",
    "Year": "1999",
    "Rated": "R",
    "Genre": "Action, Sci-Fi",
    "imdbID": "tt0133093",
    "imdbRating": "8.7",
    "Type": "movie",
    "Response": "True",
}


async def _omdb(fake: FakeService, request: web.Request) -> web.Response:
    if (answer := _common(fake, request, ok_body=MATRIX)) is not None:
        return answer
    if fake.mode == "quota":
        return _json(401, {"Response": "False", "Error": "Request limit reached!"})
    if fake.mode == "hostile":
        return _json(401, {"Response": "False", "Error": HOSTILE_ERROR})
    if "apikey" not in request.query:
        return _json(401, {"Response": "False", "Error": "No API key provided."})
    if fake.mode == "bad_key" or request.query["apikey"] != OMDB_API_KEY:
        return _json(401, {"Response": "False", "Error": "Invalid API key!"})
    if request.query.get("i") != MATRIX["imdbID"]:
        return _json(200, {"Response": "False", "Error": "Incorrect IMDb ID."})
    return _json(200, MATRIX)


# --- TMDB ------------------------------------------------------------------------------------------

TMDB_SUCCESS = {"success": True, "status_code": 1, "status_message": "Success."}
TMDB_INVALID_KEY = {
    "success": False,
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
}


async def _tmdb(fake: FakeService, request: web.Request) -> web.Response:
    if fake.mode == "server_error":
        offline = "Service offline - This service is temporarily offline, try again later."
        return _json(503, {"success": False, "status_code": 9, "status_message": offline})
    if (answer := _common(fake, request, ok_body=TMDB_SUCCESS)) is not None:
        return answer
    if fake.mode == "quota":
        over = "Your request count (41) is over the allowed limit of 40."
        return _json(429, {"success": False, "status_code": 25, "status_message": over})
    if request.path != "/3/authentication":
        return _json(
            404, {"success": False, "status_code": 34, "status_message": "The resource could not be found."}
        )
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
    valid = request.query.get("api_key") == TMDB_V3_KEY or bearer == TMDB_V4_TOKEN
    if fake.mode == "bad_key" or not valid:
        return _json(401, TMDB_INVALID_KEY)
    return _json(200, TMDB_SUCCESS)


# --- MDBList ---------------------------------------------------------------------------------------


async def _mdblist(fake: FakeService, request: web.Request) -> web.Response:
    user = {
        "user_id": 4242,
        "username": "aphrodite",
        "patron_status": "free",
        "patreon_pledge": 0,
        "api_requests": fake.quota_limit,
        "api_requests_count": fake.quota_used,
    }
    if (answer := _common(fake, request, ok_body=user)) is not None:
        return answer
    if fake.mode == "quota":
        return _json(429, {"response": False, "error": "API Limit Reached!"})
    if fake.mode == "bad_key":
        return _json(403, {"response": False, "error": "Invalid API key!"})
    if request.query.get("apikey") != MDBLIST_API_KEY:
        return _json(200, {"response": False, "error": "Invalid API key!"})  # MDBList also says it in a 200
    return _json(200, user)


# --- AniDB -----------------------------------------------------------------------------------------

ANIME_1_XML = """<?xml version="1.0" encoding="UTF-8"?>
<anime id="1" restricted="false">
  <type>TV Series</type>
  <episodecount>13</episodecount>
  <startdate>1999-01-03</startdate>
  <enddate>1999-03-28</enddate>
  <titles>
    <title xml:lang="x-jat" type="main">Seikai no Monshou</title>
    <title xml:lang="en" type="official">Crest of the Stars</title>
    <title xml:lang="ja" type="official">星界の紋章</title>
  </titles>
  <description>Roughly 1000 years ago, humankind began to spread among the stars.</description>
  <ratings><permanent count="4428">7.44</permanent></ratings>
</anime>
"""
ANIDB_MAIN_TITLE = "Seikai no Monshou"


def _anidb_xml(fake: FakeService, xml: str, *, truncate: bool = False) -> web.Response:
    body = gzip.compress(xml.encode())
    if truncate:
        body = body[: len(body) // 2]
    headers = {"Content-Encoding": "gzip"} if fake.gzip_header else {}
    return web.Response(body=body, headers=headers, content_type="text/xml")


async def _anidb(fake: FakeService, request: web.Request) -> web.Response:
    if fake.mode == "garbage":
        return _html_page(request)
    if fake.mode == "truncated":
        return _anidb_xml(fake, ANIME_1_XML, truncate=True)
    if fake.mode == "server_error":
        return web.Response(status=503, text="Service Temporarily Unavailable", content_type="text/plain")
    if fake.mode == "quota":
        return web.Response(status=429, text="Too Many Requests", content_type="text/plain")
    if fake.mode == "banned":
        return _anidb_xml(fake, '<error code="500">banned</error>')
    query = request.query
    if fake.mode == "bad_key" or (query.get("client"), query.get("clientver")) != (
        ANIDB_CLIENT,
        ANIDB_CLIENT_VERSION,
    ):
        return _anidb_xml(fake, '<error code="302">client version missing or invalid</error>')
    if query.get("request") != "anime" or query.get("aid") != "1":
        return _anidb_xml(fake, '<error code="404">no such anime</error>')
    return _anidb_xml(fake, ANIME_1_XML)


RESPONDERS: dict[str, tuple[Responder, str]] = {
    "jellyfin": (_jellyfin, ""),
    "omdb": (_omdb, "/"),
    "tmdb": (_tmdb, "/3"),
    "mdblist": (_mdblist, ""),
    "anidb": (_anidb, "/httpapi"),
}
