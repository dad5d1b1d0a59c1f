"""A dump in another encoding than UTF-8 (a LATIN1 database's own backup), read as UTF-8.

pg_dump writes a database's text in its server encoding and says so near the top, in
`SET client_encoding = 'LATIN1';`. The restore's connection speaks UTF-8 (the driver's only
encoding), so the SQL is converted as it streams, before the lexer sees it; the server converts
it back to the database's own encoding. Every server encoding is ASCII-compatible, so the
statement that names it can be found in the raw bytes.
"""

from __future__ import annotations

import codecs
import re

# PostgreSQL's server encodings and Python's codec for each; EUC_TW and MULE_INTERNAL have none.
PYTHON_CODECS = {
    "UTF8": "utf-8",
    "SQL_ASCII": "ascii",
    "LATIN1": "latin-1",
    "LATIN2": "iso8859-2",
    "LATIN3": "iso8859-3",
    "LATIN4": "iso8859-4",
    "LATIN5": "iso8859-9",
    "LATIN6": "iso8859-10",
    "LATIN7": "iso8859-13",
    "LATIN8": "iso8859-14",
    "LATIN9": "iso8859-15",
    "LATIN10": "iso8859-16",
    "ISO_8859_5": "iso8859-5",
    "ISO_8859_6": "iso8859-6",
    "ISO_8859_7": "iso8859-7",
    "ISO_8859_8": "iso8859-8",
    "WIN866": "cp866",
    "WIN874": "cp874",
    "WIN1250": "cp1250",
    "WIN1251": "cp1251",
    "WIN1252": "cp1252",
    "WIN1253": "cp1253",
    "WIN1254": "cp1254",
    "WIN1255": "cp1255",
    "WIN1256": "cp1256",
    "WIN1257": "cp1257",
    "WIN1258": "cp1258",
    "KOI8R": "koi8-r",
    "KOI8U": "koi8-u",
    "EUC_JP": "euc-jp",
    "EUC_JIS_2004": "euc-jis-2004",
    "EUC_CN": "gb2312",
    "EUC_KR": "euc-kr",
}
_ALIASES = {"UNICODE": "UTF8", "ISO88591": "LATIN1", "KOI8": "KOI8R"}
# pg_dump names the encoding within its first lines; a dump that has not by then is UTF-8.
DETECT_WITHIN_BYTES = 64 * 1024
_SET_ENCODING = re.compile(rb"^SET client_encoding = '([A-Za-z0-9_\-]{1,32})';", re.MULTILINE)
_LONGEST_SET = 64
_NOT_ASCII = re.compile(rb"[\x80-\xff]")


def canonical(name: str) -> str:
    """PostgreSQL's name for an encoding as a dump may spell it ('latin1', 'UNICODE', 'win-1252')."""
    flat = name.upper().replace("-", "")
    return _ALIASES.get(flat, flat)


class DumpDecoder:
    """Turns a dump's SQL, chunk by chunk, into UTF-8; ``encoding`` is what it was written in.

    ASCII reads the same in every server encoding, so it passes at once; only bytes past the
    first non-ASCII one wait, while the encoding is not known yet. Raises UnicodeDecodeError on
    bytes that are not text in that encoding, ValueError for one no codec here converts.
    """

    def __init__(self) -> None:
        self.encoding = "UTF8"
        self._decided = False
        self._seen = 0
        self._line = b""  # the start of the line the bytes passed so far end in
        self._held = b""
        self._decoder: codecs.IncrementalDecoder | None = None

    def feed(self, chunk: bytes) -> bytes:
        if self._decided:
            return self._convert(chunk, final=False)
        data, self._held = self._held + chunk, b""
        self._seen += len(chunk)
        if found := _SET_ENCODING.search(self._line + data):
            self._choose(found.group(1).decode("ascii"))
            return self._convert(data, final=False)
        if self._seen >= DETECT_WITHIN_BYTES:
            self._decided = True
            return data
        cut = found.start() if (found := _NOT_ASCII.search(data)) else len(data)
        passed, self._held = data[:cut], data[cut:]
        line = self._line + passed
        line = line[line.rfind(b"\n") + 1 :]
        self._line = line if len(line) < _LONGEST_SET else b"#"  # too long to be that statement
        return passed

    def finish(self) -> bytes:
        """What is left once the last chunk was fed."""
        held, self._held, self._decided = self._held, b"", True
        return self._convert(held, final=True)

    def _choose(self, said: str) -> None:
        name = canonical(said)
        codec = PYTHON_CODECS.get(name)
        if codec is None:
            raise ValueError(f"the dump is in encoding {said!r}, which this restore cannot convert")
        self.encoding, self._decided = name, True
        if codec not in ("utf-8", "ascii"):  # those pass through as they are
            self._decoder = codecs.getincrementaldecoder(codec)()

    def _convert(self, data: bytes, *, final: bool) -> bytes:
        if self._decoder is None:
            return data
        return self._decoder.decode(data, final).encode("utf-8")
