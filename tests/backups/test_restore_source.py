"""The replay lexes the dump while the server works, and sends each statement alone in its message."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from pathlib import Path

import pytest

from bot.backups.dump_file import CHUNK_SIZE
from bot.backups.restore.events import CopyEnd, DumpRefused
from bot.backups.restore.filter import Action, CopyInto, DumpFilter, Execute
from bot.backups.restore.rights import RestoreRights
from bot.backups.restore.source import STATEMENT_PIECE, DumpSource
from tests.support.copy_data import merged_copy_data

OWNER = RestoreRights("aphrodite", (), frozenset(), frozenset())
HEAD = b"--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n"
TAIL = b"\n--\n-- PostgreSQL database dump complete\n--\n\n"


def _dump(tables: int) -> bytes:
    """Statements with and without semicolons inside, and COPY blocks, over several chunks."""
    parts = [HEAD]
    for number in range(tables):
        parts.append(
            f"CREATE TABLE public.t{number} (id integer, note text);\n"
            f"COMMENT ON TABLE public.t{number} IS 'semi; colon {number}';\n"
            f"CREATE FUNCTION public.f{number}() RETURNS integer LANGUAGE plpgsql "
            f"AS $$ BEGIN RETURN {number}; END $$;\n"
            f"COPY public.t{number} (id, note) FROM stdin;\n".encode()
        )
        parts.extend(f"{row}\trow {row} of {'x' * 200}\n".encode() for row in range(40))
        parts.append(b"\\.\n\n")
    parts.append(TAIL)
    return b"".join(parts)


def _whole(data: bytes) -> list[Action]:
    dump_filter = DumpFilter()
    return merged_copy_data(dump_filter.feed(data) + dump_filter.finish())


async def _read_all(path: Path) -> tuple[list[Action], list[int], DumpSource]:
    seen: list[int] = []
    with await asyncio.to_thread(open, path, "rb") as file:
        source = DumpSource(path, file, OWNER, lambda file_bytes, _sql_bytes: seen.append(file_bytes))
        actions: list[Action] = []
        while (action := await source.next()) is not None:
            actions.append(action)
            await source.run(asyncio.sleep(0))  # as a statement sent to the server: lexing goes on
    return actions, seen, source


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
async def test_the_dump_lexed_ahead_gives_the_actions_of_the_whole_file(tmp_path: Path, packed: bool):
    data = _dump(300)
    assert len(data) > 2 * CHUNK_SIZE
    path = tmp_path / ("aphrodite_backup_20240101_000000.sql" + (".gz" if packed else ""))
    path.write_bytes(gzip.compress(data) if packed else data)

    actions, seen, source = await _read_all(path)

    assert merged_copy_data(actions) == _whole(data)
    assert sum(isinstance(action, CopyEnd) for action in actions) == 300
    assert source.ends.complete and source.reader.sql_bytes == len(data)
    assert len(seen) > len(data) // CHUNK_SIZE  # progress after every chunk, not once per file
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size


async def test_the_rows_of_a_copy_block_come_through_copy_rows_up_to_its_end(tmp_path: Path):
    data = _dump(3)
    path = tmp_path / "aphrodite_backup_20240101_000000.sql"
    path.write_bytes(data)
    with await asyncio.to_thread(open, path, "rb") as file:
        source = DumpSource(path, file, OWNER, lambda _file_bytes, _sql_bytes: None)
        while not isinstance(await source.next(), CopyInto):
            pass
        rows = b"".join([piece async for piece in source.copy_rows()])
        following = await source.next()

    assert rows.count(b"\n") == 40 and rows.startswith(b"0\trow 0 of ")
    assert isinstance(following, Execute) and following.sql.startswith("CREATE TABLE public.t1 ")


async def test_a_refusal_met_while_lexing_ahead_is_raised_by_next_in_its_place(tmp_path: Path):
    data = _dump(20)
    bad_line = data.count(b"\n") + 1
    path = tmp_path / "aphrodite_backup_20240101_000000.sql"
    path.write_bytes(data + b"\\! touch /tmp/planted\n" + TAIL)
    statements: list[Action] = []
    with await asyncio.to_thread(open, path, "rb") as file:
        source = DumpSource(path, file, OWNER, lambda _file_bytes, _sql_bytes: None)
        while True:
            try:
                action = await source.next()
            except DumpRefused as error:
                refused = error
                break
            assert action is not None, "the file's end was reached without the refusal"
            if isinstance(action, Execute | CopyInto):
                statements.append(action)
            await source.run(asyncio.sleep(0))  # lexes ahead, and never raises what it meets

    expected = [action for action in _whole(data) if isinstance(action, Execute | CopyInto)]
    assert refused.line == bad_line
    # the statements of the pieces before the refused one came first, in order; those of the refused
    # piece itself (one table's four here) are never replayed
    assert statements == expected[: len(statements)] and len(statements) >= len(expected) - 4


async def test_a_long_statement_is_lexed_in_pieces_that_leave_the_loop_free(tmp_path: Path):
    body = "".join(f"  x := x + {number};\n" for number in range(100_000))
    sql = f"CREATE FUNCTION public.long() RETURNS integer LANGUAGE plpgsql AS $$ BEGIN\n{body}END $$;\n"
    path = tmp_path / "aphrodite_backup_20240101_000000.sql"
    path.write_bytes(HEAD + sql.encode() + TAIL)
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count_turns())
    with await asyncio.to_thread(open, path, "rb") as file:
        source = DumpSource(path, file, OWNER, lambda _file_bytes, _sql_bytes: None)
        while not isinstance(action := await source.next(), Execute) or "long" not in action.sql:
            pass
    counter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await counter

    assert len(sql) > 1000 * STATEMENT_PIECE
    assert turns > len(sql) // STATEMENT_PIECE // 2  # the loop ran other tasks between the pieces
