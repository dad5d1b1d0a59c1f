"""What counts as a whole dump: the completion block at the very end, an intact gzip stream."""

from __future__ import annotations

import gzip

import pytest

from bot.backups.dump_file import BackupCorrupt, DumpEnds, check_dump

HEADER = b"--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n"
BODY = b"COPY public.notes (id, body) FROM stdin;\n1\thello\n\\.\n\n"
END = b"\n--\n-- PostgreSQL database dump complete\n--\n\n"


def ends_complete(sql: bytes) -> bool:
    ends = DumpEnds()
    ends.feed(sql)
    return ends.complete


def test_completion_block_at_the_end_makes_a_whole_dump():
    assert ends_complete(HEADER + BODY + END)
    assert ends_complete(HEADER + BODY + END + b"\\unrestrict AbC123xyz\n\n")


def test_marker_words_in_data_or_followed_by_more_sql_do_not():
    assert not ends_complete(HEADER + b"COPY t FROM stdin;\n-- PostgreSQL database dump complete\n")
    assert not ends_complete(HEADER + BODY + END + b"CREATE TABLE late (id int);\n")
    assert not ends_complete(HEADER + BODY)


def test_gzip_of_several_members_reads_as_one_dump(tmp_path):
    path = tmp_path / "dump.sql.gz"
    path.write_bytes(gzip.compress(HEADER + BODY) + gzip.compress(END))

    check = check_dump(path)

    assert check.compressed and check.sql_bytes == len(HEADER + BODY + END)


def test_trailing_garbage_after_the_gzip_stream_is_damage(tmp_path):
    path = tmp_path / "dump.sql.gz"
    path.write_bytes(gzip.compress(HEADER + BODY + END) + b"garbage")

    with pytest.raises(BackupCorrupt, match="damaged"):
        check_dump(path)


def test_empty_file_is_not_a_dump(tmp_path):
    path = tmp_path / "dump.sql"
    path.write_bytes(b"")

    with pytest.raises(BackupCorrupt, match="empty"):
        check_dump(path)
