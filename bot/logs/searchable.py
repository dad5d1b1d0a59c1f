"""The text a plain-text search looks at: the shown text, built without decoding the whole chunk.

Shown text (see shown.py) differs from the raw bytes in four ways only: lines the redactor
changes (they hold a known secret or a credential trigger word), invalid UTF-8 (U+FFFD),
``\\r\\n`` (``\\n``) and lines longer than ``LINE_LIMIT`` (cut). For a search for plain ASCII
text, the last three do not matter on a line the redactor leaves alone: an ASCII needle never
matches the bytes of U+FFFD nor of invalid UTF-8, the search holds no line break, and headers
and levels (ASCII, or JSON decoded the same way: see parse.py) are read the same. Chunks holding
a long line go the slow way (`show`).

So a chunk is searched as its raw bytes with only the redactor's lines replaced by their shown
text. Those lines are found by the redactor's own pass over the chunk, which looks for trigger
words and known secrets, never for the search: which lines are replaced, and the work of
replacing them, does not depend on what is searched. Everything that depends on the search
(which lines match, how many, how long it takes) then sees only text the user may see, exactly
as if the whole chunk had been decoded and redacted: no answer depends on a secret's characters.
The work saved (decoding and re-encoding the lines that hold nothing to mask) depends on where
secrets and trigger words are, which the masks already show, not on what they are.
"""

from __future__ import annotations

from bot.logs.chunk import Chunk
from bot.logs.query import LogQuery
from bot.logs.shown import ShownChunk, has_long_line, pieces, show, shown_text
from bot.redact import Redactor


def searchable(raw: Chunk, redactor: Redactor, query: LogQuery) -> ShownChunk:
    """The text ``query`` is decided on for ``raw``: the shown text, or as good as it for this search.

    Show matching entries with `show` (or `ShownChunk.exact` tells that this is already it).
    """
    matcher = query.matcher
    fast = matcher is not None and matcher.needle is not None and raw.line_length is None
    if not fast or has_long_line(raw.data, raw.start, raw.end):
        return show(raw, redactor)
    spliced = []
    for piece in pieces(
        raw.data, raw.start, raw.end, redactor
    ):  # a piece's lines to redact are bounded by its size
        searched = _searchable_piece(piece, redactor)
        if searched is None:
            return show(raw, redactor)
        spliced.append(searched)
    text = spliced[0] if len(spliced) == 1 else b"".join(spliced)
    return ShownChunk(raw, Chunk(raw.offset, text, 0, len(text)), exact=False)


def _searchable_piece(piece: bytes, redactor: Redactor) -> bytes | None:
    """The piece with the lines redaction may change replaced by their shown text; None when
    only whole-text redaction is right (see `Redactor.lines_to_redact`)."""
    spans = redactor.lines_to_redact(piece)
    if not spans:
        return None if spans is None else piece
    parts, at = [], 0
    for start, end in spans:
        parts.append(piece[at:start])
        parts.append(shown_text(piece[start:end], redactor))
        at = end
    parts.append(piece[at:])
    return b"".join(parts)
