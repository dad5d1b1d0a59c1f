"""Request bodies as discord.py sends them: JSON, or multipart with ``payload_json`` and ``files[n]``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import invalid_json

_FILE_FIELD = re.compile(r"files\[(\d+)\]")
_QUOTED_PARAM = r'\b{}="((?:[^"\\]|\\.)*)"'


@dataclass(frozen=True)
class UploadedFile:
    """One ``files[index]`` part of a multipart request."""

    index: int
    filename: str
    data: bytes


@dataclass(frozen=True)
class RequestBody:
    """The JSON payload of a request (``None`` if it had none) and the files uploaded with it."""

    payload: Any
    files: tuple[UploadedFile, ...] = ()


def parse_body(content_type: str, body: bytes) -> RequestBody:
    """Split a raw body into payload and files; malformed JSON is Discord's 50109 error."""
    if content_type.startswith("multipart/form-data"):
        return _parse_multipart(content_type, body)
    if not body:
        return RequestBody(None)
    return RequestBody(_loads(body))


async def read_body(request: web.Request) -> RequestBody:
    """The parsed body of a request (aiohttp caches the bytes, so the recorder has read them too)."""
    return parse_body(request.headers.get("Content-Type", ""), await request.read())


def snowflake(text: str) -> int:
    """An id from a URL segment; 0 (matching nothing) when it is not a number."""
    return int(text) if text.isdigit() else 0


def string_leaves(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, keys excluded: what a reader of the payload could see."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from string_leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from string_leaves(item)


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid_json() from None


def _parse_multipart(content_type: str, body: bytes) -> RequestBody:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise invalid_json()
    delimiter = b"--" + match.group(1).encode()
    payload: Any = None
    files: list[UploadedFile] = []
    # Parts sit between delimiters: "\r\n<headers>\r\n\r\n<data>\r\n"; the last chunk is the "--" epilogue.
    for chunk in body.split(delimiter)[1:-1]:
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = head.decode("utf-8", errors="replace")
        name = _param(headers, "name")
        if name == "payload_json":
            payload = _loads(data)
        elif name and (file_field := _FILE_FIELD.fullmatch(name)):
            files.append(UploadedFile(int(file_field.group(1)), _param(headers, "filename") or name, data))
    return RequestBody(payload, tuple(files))


def _param(headers: str, key: str) -> str | None:
    match = re.search(_QUOTED_PARAM.format(key), headers)
    return None if match is None else re.sub(r"\\(.)", r"\1", match.group(1))
