"""Reading a dump written in another server encoding as UTF-8 (bot/backups/restore/encoding.py)."""

from __future__ import annotations

import pytest

from bot.backups.restore.encoding import DumpDecoder, canonical
from bot.backups.restore.events import DumpRefused
from bot.backups.restore.filter import DumpFilter

HEADER = (
    b"SET statement_timeout = 0;\nSET client_encoding = 'LATIN1';\nSET standard_conforming_strings = on;\n"
)


def decode_in_pieces(data: bytes, size: int) -> tuple[bytes, str]:
    decoder = DumpDecoder()
    out = b"".join(decoder.feed(data[i : i + size]) for i in range(0, len(data), size)) + decoder.finish()
    return out, decoder.encoding


@pytest.mark.parametrize("size", [1, 2, 7, 64, 4096])
def test_a_latin1_dump_reads_as_utf8_whatever_the_chunk_size(size):
    dump = HEADER + "INSERT INTO t VALUES ('café ÿ');\n".encode("latin-1")

    out, encoding = decode_in_pieces(dump, size)

    assert encoding == "LATIN1"
    assert out == HEADER + "INSERT INTO t VALUES ('café ÿ');\n".encode()


@pytest.mark.parametrize("size", [1, 3, 4096])
def test_multibyte_characters_cut_between_chunks_are_joined(size):
    text = "SET client_encoding = 'EUC_JP';\nCOMMENT ON TABLE t IS '日本語のテキスト';\n"

    out, encoding = decode_in_pieces(text.encode("euc-jp"), size)

    assert encoding == "EUC_JP" and out == text.encode()


def test_ascii_passes_at_once_before_the_encoding_is_known():
    decoder = DumpDecoder()

    assert decoder.feed(b"--\n-- PostgreSQL database dump\n--\n") == b"--\n-- PostgreSQL database dump\n--\n"


def test_a_utf8_dump_passes_unchanged():
    dump = b"SET client_encoding = 'UTF8';\n" + "SELECT 'ß';\n".encode()

    assert decode_in_pieces(dump, 5) == (dump, "UTF8")


def test_an_encoding_without_a_codec_is_refused_by_name():
    with pytest.raises(ValueError, match="EUC_TW"):
        DumpDecoder().feed(b"SET client_encoding = 'EUC_TW';\n")


def test_text_that_is_not_in_the_declared_encoding_is_refused():
    dump_filter = DumpFilter()
    with pytest.raises(DumpRefused, match="text that is not EUC_JP"):
        dump_filter.feed(b"SET client_encoding = 'EUC_JP';\nSELECT '\xff\xfe';\n")
        dump_filter.finish()


def test_a_second_client_encoding_is_refused():
    dump_filter = DumpFilter()
    with pytest.raises(DumpRefused, match="a second client encoding"):
        dump_filter.feed(b"SET client_encoding = 'LATIN1';\nCREATE TABLE t (a integer);\n")
        dump_filter.feed(b"SET client_encoding = 'LATIN2';\n")
        dump_filter.finish()


@pytest.mark.parametrize(
    ("spelled", "name"), [("latin1", "LATIN1"), ("UNICODE", "UTF8"), ("win-1252", "WIN1252")]
)
def test_encoding_names_are_read_as_postgresql_reads_them(spelled, name):
    assert canonical(spelled) == name
