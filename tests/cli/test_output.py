"""The CLI's one JSON encoder: every string and path redacted, internal fields left out."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.output import jsonable, to_json
from bot.redact import Redactor

SECRET = "sk-live-8a7b6c5d"


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Inner:
    note: str
    at: datetime


@dataclass(frozen=True)
class Outer:
    path: Path
    inner: tuple[Inner, ...]
    took: timedelta
    colour: Colour
    tags: dict[str, object]
    internal: object = field(default=None, repr=False)


def test_everything_shown_is_redacted_and_typed_for_json() -> None:
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    value = Outer(
        path=Path(f"/backups/{SECRET}.sql"),
        inner=(Inner(f"key={SECRET}", moment),),
        took=timedelta(seconds=1.5),
        colour=Colour.RED,
        tags={"count": 3, "ok": True, "none": None, "why": SECRET},
        internal=object(),
    )

    data = json.loads(to_json(value, Redactor([SECRET])))

    assert data == {
        "path": "/backups/***.sql",
        "inner": [{"note": "key=***", "at": "2026-11-30T12:00:00+00:00"}],
        "took": 1.5,
        "colour": "red",
        "tags": {"count": 3, "ok": True, "none": None, "why": "***"},
    }


def test_something_it_cannot_encode_is_an_error_not_a_guess() -> None:
    with pytest.raises(TypeError, match="object"):
        jsonable({"what": object()}, Redactor())
