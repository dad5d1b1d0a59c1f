"""Which database a result is about, and a redactor for its credentials."""

from __future__ import annotations

from bot.database.connection import Database
from bot.redact import Redactor


def database_label(database: Database) -> str:
    """'host:port/name': which database a result belongs to, without credentials."""
    parts = database.parts
    return f"{parts.host}:{parts.port}/{parts.database}"


def database_redactor(database: Database) -> Redactor:
    """Masks the connection string and its password, for server text shown to people."""
    return database.redactor
