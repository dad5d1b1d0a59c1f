"""The CLI's one JSON encoder and its one error shape, both redacted like everything else shown."""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Redact = Callable[[str], str]


def jsonable(value: object, redact: Redact) -> object:
    """``value`` as JSON data, every string (and path) through ``redact``.

    Dataclasses become their fields, taken one by one (``asdict`` would deep-copy compiled
    searches) and without the ones they keep out of their ``repr``; enums become their value,
    datetimes ISO 8601, durations seconds.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_of(value, redact)
    if isinstance(value, dict):
        return {str(key): jsonable(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item, redact) for item in value]
    if isinstance(value, str | Path):
        return redact(str(value))
    if isinstance(value, enum.Enum):
        return jsonable(value.value, redact)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"not JSON data: {type(value).__name__}")


def fields_of(value: DataclassInstance, redact: Redact) -> dict[str, object]:
    """A dataclass's shown fields as JSON data: the object a command extends before printing it."""
    return {
        field.name: jsonable(getattr(value, field.name), redact)
        for field in dataclasses.fields(value)
        if field.repr
    }


def to_json(value: object, redact: Redact) -> str:
    """``value`` as indented JSON text, redacted."""
    return json.dumps(jsonable(value, redact), indent=2, ensure_ascii=False)


def print_json(value: object, redact: Redact, stream: TextIO | None = None) -> None:
    """Print ``value`` as redacted JSON on ``stream`` (standard output by default)."""
    print(to_json(value, redact), file=stream or sys.stdout)


def error_document(message: str, hint: str | None, exit_code: int) -> dict[str, object]:
    """The JSON every command prints for a failure (a command may add fields beside ``error``)."""
    return {"error": {"message": message, "hint": hint, "exit_code": exit_code}}


def print_error(message: str, hint: str | None, exit_code: int, *, as_json: bool, redact: Redact) -> None:
    """One failure, the same way for every command.

    With ``--json``: ``{"error": {"message", "hint", "exit_code"}}`` on standard output, where a
    script reads the answer; otherwise ``error:`` and ``hint:`` lines on standard error.
    """
    if as_json:
        print_json(error_document(message, hint, exit_code), redact)
        return
    print(f"error: {redact(message)}", file=sys.stderr)
    if hint:
        print(f"hint: {redact(hint)}", file=sys.stderr)
