"""What of a dump may run: the statement kinds a plain pg_dump (PostgreSQL 15) writes, nothing else.

The filter hands every statement's head (comments dropped, spaces collapsed) to `verdict`. A
statement runs only when it is one of pg_dump's kinds about this database's own objects and data:
CREATE/ALTER/DROP/COMMENT ON/SECURITY LABEL of schemas, tables, sequences, views, indexes,
routines, types, triggers, rules, policies, publications, statistics, text search objects, casts,
operators; GRANT/REVOKE on those; ALTER DEFAULT PRIVILEGES; COPY ... FROM stdin (filter.py);
INSERT ... VALUES (`--inserts`); REFRESH MATERIALIZED VIEW; pg_dump's own SET lines; and its
exact SELECT forms (set_config of search_path, setval, the large-object calls).

Everything else is refused with a reason, among them what the trust audit planted: DO blocks,
roles (CREATE/ALTER/DROP ROLE|USER|GROUP, GRANT of a role), ALTER DATABASE and ALTER SYSTEM, SET
ROLE and SET SESSION AUTHORIZATION (so also pg_dump's `--use-set-session-authorization`), LOAD,
every other SELECT (pg_read_file, lo_import, pg_terminate_backend, pg_sleep, dblink...), CALL,
foreign data wrappers, servers, user mappings and foreign tables (file_fdw's `program`,
postgres_fdw reach outside the database), subscriptions (they connect to other servers),
procedural languages, and CREATE EXTENSION of an extension that is neither installed in the
database already nor one PostgreSQL lets a database owner install (its "trusted" ones).

pg_dump's own `SET statement_timeout = 0`, `lock_timeout`, `idle_in_transaction_session_timeout`
and `transaction_timeout` lines are dropped: the restore keeps its own limits.
"""

from __future__ import annotations

import re
from enum import Enum

# PostgreSQL 15's extensions marked trusted: a database owner may install them without a superuser.
TRUSTED_EXTENSIONS = frozenset(
    {
        "btree_gin",
        "btree_gist",
        "citext",
        "cube",
        "dict_int",
        "fuzzystrmatch",
        "hstore",
        "intarray",
        "isn",
        "lo",
        "ltree",
        "pgcrypto",
        "pg_trgm",
        "plpgsql",
        "seg",
        "tablefunc",
        "tcn",
        "tsm_system_rows",
        "tsm_system_time",
        "unaccent",
        "uuid-ossp",
    }
)


class Verdict(Enum):
    RUN = "run"
    DROP = "drop"  # pg_dump's own line, replaced by the restore's setting


_IDENT = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")'
_KIND = (
    r"(?:SCHEMA|(?:UNLOGGED )?TABLE|SEQUENCE|(?:RECURSIVE |MATERIALIZED )?VIEW|(?:UNIQUE )?INDEX"
    r"|FUNCTION|PROCEDURE|ROUTINE|AGGREGATE|OPERATOR(?: CLASS| FAMILY)?|TYPE|DOMAIN|COLLATION"
    r"|(?:DEFAULT )?CONVERSION|TEXT SEARCH (?:CONFIGURATION|DICTIONARY|PARSER|TEMPLATE)"
    r"|(?:CONSTRAINT |EVENT )?TRIGGER|RULE|POLICY|PUBLICATION|STATISTICS|CAST|COLUMN|CONSTRAINT"
    r"|LARGE OBJECT)"
)
# Privilege keywords, commas, and column lists (quoted names may hold anything but a lone quote).
# One character per step, never a nested run: a long head that does not match fails in linear time.
_PRIVILEGES = r'(?:[A-Z ,]|\((?:[^)"]|"(?:[^"]|"")*")*\))+?'
_OBJECT_STATEMENT = re.compile(
    rf"^(?:CREATE (?:OR REPLACE )?{_KIND} |ALTER {_KIND} |DROP {_KIND} |COMMENT ON {_KIND} "
    rf"|SECURITY LABEL FOR {_IDENT} ON {_KIND} |ALTER DEFAULT PRIVILEGES "
    rf"|(?:GRANT|REVOKE) {_PRIVILEGES} ON (?:{_KIND}|LANGUAGE) "
    rf"|INSERT INTO {_IDENT}(?:\.{_IDENT})? (?:\([^)]*\) )?(?:OVERRIDING SYSTEM VALUE )?VALUES "
    rf"|REFRESH MATERIALIZED VIEW )"
)
_EXTENSION = re.compile(
    rf"^(?:CREATE EXTENSION (?:IF NOT EXISTS )?|DROP EXTENSION (?:IF EXISTS )?|COMMENT ON EXTENSION "
    rf"|ALTER EXTENSION )(?P<name>{_IDENT})"
)
_SETTINGS = (
    "standard_conforming_strings|check_function_bodies|xmloption|client_min_messages|row_security"
    "|default_tablespace|default_table_access_method|default_with_oids|search_path|escape_string_warning"
    "|default_toast_compression"
)
_SET = re.compile(rf"^SET (?:{_SETTINGS}) = [A-Za-z0-9_'\", .$-]*;$")
_OWN_LIMITS = re.compile(
    r"^SET (?:statement_timeout|lock_timeout|idle_in_transaction_session_timeout|transaction_timeout)"
    r" = [0-9a-z']+;$"
)
_LITERAL = r"'(?:[^'\\]|'')*'"
_SELECTS = re.compile(
    r"^SELECT pg_catalog\.(?:"
    r"set_config\('search_path', '', false\)"
    rf"|setval\({_LITERAL}, -?[0-9]+, (?:true|false)\)"
    r"|lo_create\('[0-9]+'\)|lo_open\('[0-9]+', 131072\)|lo_close\(0\)"
    r"|lowrite\(0, '\\\\?x[0-9a-f]*'\)"
    r");$"
)
_LO_UNLINK = re.compile(
    r"^SELECT pg_catalog\.lo_unlink\(oid\) FROM pg_catalog\.pg_largeobject_metadata WHERE oid = '[0-9]+';$"
)
_REASONS = (
    (r"DO\b", "a DO block runs any code it holds; pg_dump never writes one"),
    (r"(?:CREATE|ALTER|DROP) (?:ROLE|USER|GROUP)\b", "it changes the server's roles, not this database"),
    (r"GRANT\b", "it grants membership in a role or rights outside this database's objects"),
    (r"REVOKE\b", "it revokes membership in a role or rights outside this database's objects"),
    (r"ALTER SYSTEM\b", "it changes the server's configuration"),
    (r"(?:ALTER|CREATE|DROP) (?:DATABASE|TABLESPACE)\b", "it changes a database or tablespace itself"),
    (r"(?:SET|RESET) (?:SESSION |LOCAL )?(?:ROLE|SESSION AUTHORIZATION)\b", "it switches to another role"),
    (r"(?:SET|RESET)\b", "it changes a session setting pg_dump does not set"),
    (r"LOAD\b", "it loads a library into the server"),
    (
        r"(?:CREATE|ALTER|DROP) (?:FOREIGN|SERVER|USER MAPPING)\b|IMPORT FOREIGN",
        "foreign data wrappers, servers and tables reach files, programs or other servers",
    ),
    (r"(?:CREATE|ALTER|DROP) SUBSCRIPTION\b", "a subscription connects to another server"),
    (
        r"(?:CREATE|ALTER|DROP) (?:OR REPLACE )?(?:TRUSTED )?(?:PROCEDURAL )?LANGUAGE\b",
        "a procedural language can run code on the database host",
    ),
    (r"(?:SELECT|CALL|EXECUTE|PREPARE|WITH|VALUES|TABLE)\b", "it calls functions; pg_dump never does"),
)
_REASON_PATTERNS = tuple((re.compile(pattern, re.IGNORECASE), reason) for pattern, reason in _REASONS)


def verdict(head: str, head_complete: bool, installed_extensions: frozenset[str]) -> Verdict | str:
    """RUN or DROP for what pg_dump writes; otherwise why the statement is refused."""
    if _OWN_LIMITS.match(head):
        return Verdict.DROP
    if extension := _EXTENSION.match(head):
        name = _unquoted(extension["name"])
        if name in TRUSTED_EXTENSIONS or name in installed_extensions:
            return Verdict.RUN
        return (
            f"extension {name!r} is not installed in this database and is not one its owner may "
            "install (such extensions reach files, programs or other servers)"
        )
    if _OBJECT_STATEMENT.match(head):
        return Verdict.RUN
    if head_complete and (_SET.match(head) or _SELECTS.match(head) or _LO_UNLINK.match(head)):
        return Verdict.RUN
    for pattern, reason in _REASON_PATTERNS:
        if pattern.match(head):
            return reason
    return "pg_dump never writes such a statement"


def _unquoted(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    return token.lower()
