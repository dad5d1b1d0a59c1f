"""With what rights a restore runs, and proof that it changed nothing outside the database.

A backup never runs with more rights than a database owner that is not a superuser. Functions
from a dump can run during the restore (CHECK constraints, index expressions, generated columns,
materialized views), and a superuser session cannot be confined: such code can `RESET ROLE`
whatever role the session switched to. So when the restore's role is a superuser, or may become
one in effect (CREATEROLE, or a member of pg_execute_server_program, pg_read_server_files or
pg_write_server_files), or when the database has an extension that acts outside the restore's
transaction (dblink, postgres_fdw, file_fdw, adminpack: a rollback cannot undo what they did),
only backups this bot made are replayed; a file of unknown origin is refused before the database
is touched, with a hint.

Before COMMIT the restore compares, in its own transaction, what a database owner could change
outside its database's objects: the roles and their attributes, role memberships, per-role and
per-database settings, and the databases' own rows. If any of it changed, nothing is committed.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

# Extensions whose functions reach other databases, servers or files, beyond any rollback.
REACHING_OUT = frozenset({"adminpack", "dblink", "file_fdw", "postgres_fdw"})

# Arrays as text[], not name[]: asyncpg decodes text[] at once, but first asks the server about
# name[] (a type-introspection query, about 9 ms on each new connection, which every restore is).
_ROLE = """
SELECT r.rolname, r.rolsuper, r.rolcreaterole,
       ARRAY(SELECT b.rolname FROM pg_catalog.pg_roles b
             WHERE b.rolname IN ('pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files')
               AND pg_catalog.pg_has_role(r.oid, b.oid, 'MEMBER')
             ORDER BY b.rolname)::text[] AS server_roles,
       ARRAY(SELECT e.extname FROM pg_catalog.pg_extension e ORDER BY 1)::text[] AS installed,
       ARRAY(SELECT e.extname FROM pg_catalog.pg_extension e
             WHERE NOT pg_catalog.pg_has_role(e.extowner, 'USAGE') ORDER BY 1)::text[] AS foreign_owned
FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
"""


@dataclass(frozen=True)
class RestoreRights:
    """The role a restore connects as, what makes it more than a database owner, and the extensions."""

    role: str
    beyond_owner: tuple[str, ...]
    installed_extensions: frozenset[str]
    foreign_extensions: frozenset[str]

    def refusal(self, name: str) -> str | None:
        """Why a backup of unknown origin called ``name`` must not be replayed with these rights."""
        if not self.beyond_owner:
            return None
        return (
            f"{name} has no sidecar of this bot recording its sha256 (it is Aphrodite's, or was copied in or "
            f"planted), and the restore connects as {self.role!r}, which {' and '.join(self.beyond_owner)}: "
            "code in such a file could run programs, read files or change other databases. Connect as the "
            "database owner without those rights (see README: What a restore may do), or restore this "
            "file with Aphrodite's own web UI if you trust it."
        )


async def restore_rights(connection: asyncpg.Connection) -> RestoreRights:
    row = await connection.fetchrow(_ROLE)
    assert row is not None, "current_user is a role"
    beyond: list[str] = []
    if row["rolsuper"]:
        beyond.append("is a superuser")
    if row["rolcreaterole"]:
        beyond.append("has CREATEROLE (it may grant itself any non-superuser role)")
    if row["server_roles"]:
        beyond.append(f"is a member of {', '.join(row['server_roles'])}")
    if reaching := sorted(REACHING_OUT.intersection(row["installed"])):
        beyond.append(
            f"can use {', '.join(reaching)} (installed here), which act outside the restore's transaction"
        )
    return RestoreRights(
        role=row["rolname"],
        beyond_owner=tuple(beyond),
        installed_extensions=frozenset(row["installed"]),
        foreign_extensions=frozenset(row["foreign_owned"]),
    )


# One checksum per kind of thing outside the database's objects that a role could change.
_OUTSIDE = """
SELECT
  (SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(r::text, ';' ORDER BY r.oid), ''))
     FROM pg_catalog.pg_roles r) AS roles,
  (SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(m::text, ';' ORDER BY m::text), ''))
     FROM pg_catalog.pg_auth_members m) AS "role memberships",
  (SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(s::text, ';' ORDER BY s::text), ''))
     FROM pg_catalog.pg_db_role_setting s) AS "role and database settings",
  (SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(
            pg_catalog.concat_ws(',', d.oid, d.datname, d.datdba, d.datistemplate, d.datallowconn,
                                 d.datconnlimit, d.dattablespace, d.datacl::text), ';' ORDER BY d.oid), ''))
     FROM pg_catalog.pg_database d) AS databases
"""


async def outside_state(connection: asyncpg.Connection) -> dict[str, str]:
    """Checksums of the roles, memberships, settings and databases, as this transaction sees them."""
    row = await connection.fetchrow(_OUTSIDE)
    assert row is not None, "a SELECT without FROM returns one row"
    return dict(row.items())


def changed_outside(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What changed between two `outside_state` readings, by name."""
    return [name for name, value in before.items() if after.get(name) != value]
