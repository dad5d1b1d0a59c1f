"""Property tests of the restore filter on a real pg_dump: whole classes, at random places.

Each test plants something in a real dump of the test database, at places drawn with a fixed
seed, and checks the filter's verdict: every psql meta-command spelling and every transaction
control spelling is refused with its line, wherever it sits between or inside statements; the
same words inside literals, comments, dollar quotes or COPY data are replayed as they are.
"""

from __future__ import annotations

import asyncio
import os
import random
import re

import pytest

from bot.backups.restore.events import CopyData, DumpRefused
from bot.backups.restore.filter import CopyInto, DumpFilter, Execute
from tests.backups.fixtures import REAL_PG_DUMP, database, libpq_env  # noqa: F401 - fixtures

TRIALS = 80
SEED = 20261130  # fixed: a failure is reproducible
# psql's backslash commands (psql --help=commands), those that reach the shell or files first.
META_COMMANDS = [
    "! id",
    "o |id",
    "g |id",
    "gexec",
    "gset",
    "w /tmp/x",
    "copy (SELECT 1) TO PROGRAM 'id'",
    "set x `id`",
    "setenv PAGER id",
    "i /etc/passwd",
    "ir x.sql",
    "include x.sql",
    "cd /",
    "c postgres",
    "connect template1",
    "if true",
    "elif true",
    "else",
    "endif",
    "restrict key; \\! id",
    "unrestrict",
    "lo_import /etc/passwd",
    "lo_export 1 /tmp/x",
    "echo hi",
    "qecho hi",
    "pset pager always",
    "e",
    "ef",
    "password",
    "prompt x",
    "watch 1",
    "bind 1",
    "encoding LATIN1",
    "q",
    "?",
]
VERBS = [
    "BEGIN",
    "BEGIN WORK",
    "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE",
    "START TRANSACTION",
    "COMMIT",
    "COMMIT WORK",
    "COMMIT AND CHAIN",
    "END",
    "END TRANSACTION",
    "ROLLBACK",
    "ROLLBACK AND CHAIN",
    "ABORT",
    "SAVEPOINT s1",
    "RELEASE SAVEPOINT s1",
    "RELEASE s1",
    "ROLLBACK TO SAVEPOINT s1",
    "PREPARE TRANSACTION 'x'",
    "COMMIT PREPARED 'x'",
    "ROLLBACK PREPARED 'x'",
]
HARMLESS = [
    "COMMENT ON TABLE public.media_items IS 'a \\! id; COMMIT; \\o |id';",
    "COMMENT ON TABLE public.media_items IS $q$ \\! id; ROLLBACK; $q$;",
    "COMMENT ON TABLE public.media_items IS E'\\\\! id\\'; COMMIT; \\\\';",
    "COMMENT ON TABLE public.media_items /* \\! id; COMMIT; /* nested \\o */ */ IS 'x';",
    "COMMENT ON TABLE public.media_items IS 'x' -- \\! id; COMMIT;\n;",
    "COMMENT ON COLUMN public.media_items.\"\\! id; COMMIT;\" IS 'x';",
    "CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $do$ BEGIN PERFORM 1; END $do$;",
]


async def pg_dump(database, *flags: str) -> bytes:  # noqa: F811
    process = await asyncio.create_subprocess_exec(
        REAL_PG_DUMP,
        "--no-password",
        *flags,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **libpq_env(database)},
    )
    sql, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()
    return sql


@pytest.fixture
async def real_dumps(database) -> list[bytes]:  # noqa: F811
    """Our format (`--clean --if-exists`) and Aphrodite's (`--create` as well)."""
    return [
        await pg_dump(database, "--clean", "--if-exists"),
        await pg_dump(database, "--clean", "--if-exists", "--create"),
    ]


def copy_blocks(sql: bytes) -> list[tuple[int, int]]:
    """(start, end) of every COPY data block, found from pg_dump's layout rather than the lexer."""
    blocks = []
    for match in re.finditer(rb"^COPY .* FROM stdin;\n", sql, re.MULTILINE):
        end = sql.index(b"\n\\.\n", match.end() - 1) + 1
        blocks.append((match.end(), end))
    return blocks


def boundaries(sql: bytes) -> list[int]:
    """Starts of the blank lines that follow a statement: pg_dump puts one after every entry."""
    blocks = copy_blocks(sql)
    return [
        match.start() + 2
        for match in re.finditer(rb";\n\n", sql)
        if not any(start <= match.start() < end for start, end in blocks)
    ]


def column_lines(sql: bytes) -> list[int]:
    """Ends of the first word of CREATE TABLE column lines: a place inside a statement."""
    return [match.end() for match in re.finditer(rb"^    [a-z_]+(?= [^'\n]*\n)", sql, re.MULTILINE)]


def line_at(sql: bytes, position: int) -> int:
    return sql.count(b"\n", 0, position) + 1


def replay(sql: bytes, rng: random.Random) -> list[object]:
    """The filter's actions, the stream cut into pieces of random sizes."""
    dump_filter = DumpFilter()
    actions: list[object] = []
    position = 0
    while position < len(sql):
        size = rng.choice([61, 512, 4096, 65536, 1 << 20])
        actions += dump_filter.feed(sql[position : position + size])
        position += size
    return actions + dump_filter.finish()


def random_case(text: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def random_spacing(words: list[str], rng: random.Random) -> str:
    gaps = [" ", "  ", "\t", "\n", " /* x */ ", " -- note\n", "/**/"]
    return words[0] + "".join(rng.choice(gaps) + word for word in words[1:])


def spelled(verb: str, rng: random.Random) -> str:
    """A transaction-control statement in one of the many spellings the server accepts."""
    lead = rng.choice(["", "  ", "\t", "/* lead */ ", "-- lead\n"])
    words = [random_case(word, rng) if not word.startswith("'") else word for word in verb.split()]
    return lead + random_spacing(words, rng) + rng.choice([";", " ;", "\n;"])


def plant(sql: bytes, position: int, text: str) -> bytes:
    return sql[:position] + text.encode() + sql[position:]


def refusal(sql: bytes, rng: random.Random) -> DumpRefused:
    with pytest.raises(DumpRefused) as refused:
        replay(sql, rng)
    return refused.value


async def test_meta_commands_between_statements_are_refused_at_their_line(real_dumps):
    rng = random.Random(SEED)
    for _ in range(TRIALS):
        sql = rng.choice(real_dumps)
        position = rng.choice(boundaries(sql))
        command = rng.choice(META_COMMANDS)
        before = rng.choice(
            ["", "  ", "\t", "/* c */ ", "SET row_security = off; ", "SET row_security = off;\t"]
        )

        refused = refusal(plant(sql, position, f"{before}\\{command}\n"), rng)

        assert refused.line == line_at(sql, position), command
        assert "meta-command" in refused.reason or "connect to another database" in refused.reason


async def test_meta_commands_inside_statements_are_refused_at_their_line(real_dumps):
    rng = random.Random(SEED)
    for _ in range(TRIALS):
        sql = rng.choice(real_dumps)
        position = rng.choice(column_lines(sql))
        command = rng.choice(META_COMMANDS)

        refused = refusal(plant(sql, position, f" \\{command}\n"), rng)

        assert refused.line == line_at(sql, position), command
        assert "meta-command" in refused.reason


async def test_transaction_control_in_any_spelling_is_refused_at_its_line(real_dumps):
    rng = random.Random(SEED)
    for _ in range(TRIALS):
        sql = rng.choice(real_dumps)
        position = rng.choice(boundaries(sql))
        statement = spelled(rng.choice(VERBS), rng)

        refused = refusal(plant(sql, position, statement + "\n"), rng)

        first_word = re.search(
            r"(?i)begin|start|commit|end|rollback|abort|savepoint|release|prepare", statement
        )
        assert refused.line == line_at(sql, position) + statement.count("\n", 0, first_word.start())
        assert "transaction control" in refused.reason, statement


async def test_the_same_words_in_literals_comments_and_copy_data_are_replayed_as_they_are(real_dumps):
    rng = random.Random(SEED)
    for _ in range(TRIALS):
        sql = rng.choice(real_dumps)
        statement = rng.choice(HARMLESS)
        planted = plant(sql, rng.choice(boundaries(sql)), statement + "\n")
        start, end = rng.choice(copy_blocks(planted))
        row_start = rng.choice([start, *(start + m.end() for m in re.finditer(rb"\n", planted[start:end]))])
        row = rng.choice([b"\\! id\t1\n", b"COMMIT;\n", b"\\connect other\n", b"\\\\.\n"])
        planted = planted[:row_start] + row + planted[row_start:]

        actions = replay(planted, rng)

        assert statement in [action.sql for action in actions if isinstance(action, Execute)]
        assert row in b"".join(action.data for action in actions if isinstance(action, CopyData))


async def test_an_untouched_real_dump_replays_every_statement_and_every_row(real_dumps):
    rng = random.Random(5)
    for sql in real_dumps:
        actions = replay(sql, rng)

        copies = [action for action in actions if isinstance(action, CopyInto)]
        assert len(copies) == len(copy_blocks(sql))
        rows = b"".join(action.data for action in actions if isinstance(action, CopyData))
        assert rows == b"".join(sql[start:end] for start, end in copy_blocks(sql))
