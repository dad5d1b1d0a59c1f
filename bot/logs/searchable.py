"""The text a plain-text search looks at: the raw bytes, with the shown text only where it can matter.

Shown text (see shown.py) differs from the raw bytes in four ways only: lines the redactor
changes (they hold a known secret or a credential trigger word), invalid UTF-8 (U+FFFD),
``\\r\\n`` (``\\n``) and lines longer than ``LINE_LIMIT`` (cut). For a search for plain ASCII
text, the last three do not matter on a line the redactor leaves alone: an ASCII needle never
matches the bytes of U+FFFD nor of invalid UTF-8, the search holds no line break, and headers
and levels (ASCII, or JSON decoded the same way: see parse.py) are read the same. Chunks holding
a long line go the slow way (`show`).

Nor does redaction matter on a line that does not hold the search text as written: masking
replaces text with ``***`` and adds nothing else, so a search without ``*`` found in a line's
shown text lies outside its masks, in text the line holds as written. So only the lines holding
the search text raw (found in C: candidates.py) and changed by the redactor (its own pass over
the piece, which looks for trigger words and known secrets, never for the search) are replaced
by their shown text, with the lines they reach (redact_lines.py). A search for a secret, or
for part of one, finds it raw, then not in the line's shown text: no answer (which lines match,
how many) depends on a secret's characters, exactly as if the whole chunk had been redacted.
The time it takes does: redacting the lines that hold the search text costs more than finding
none, so a search for a secret's characters takes longer on a log full of that secret.

A search holding ``*`` may be after masks (``api_key=***``): it is decided on the shown text
itself (`show`), as are regular expressions and non-ASCII searches.
"""

from __future__ import annotations

from bot.logs.candidates import CandidateFinder
from bot.logs.chunk import Chunk
from bot.logs.query import LogQuery
from bot.logs.shown import ShownChunk, has_long_line, pieces, show, shown_text
from bot.redact import Redactor


def searchable(raw: Chunk, redactor: Redactor, query: LogQuery) -> ShownChunk:
    """The text ``query`` is decided on for ``raw``: the shown text, or as good as it for this search.

    Show matching entries with `show` (or `ShownChunk.exact` tells that this is already it).
    """
    matcher = query.matcher
    needle = matcher.needle if matcher is not None else None
    if needle is None or b"*" in needle or raw.line_length is not None:
        return show(raw, redactor)
    if has_long_line(raw.data, raw.start, raw.end):
        return show(raw, redactor)
    finder = CandidateFinder(needle, ())
    spliced = []
    for piece in pieces(raw.data, raw.start, raw.end, redactor):  # a piece's lines to redact are bounded
        searched = _searchable_piece(piece, redactor, finder)
        if searched is None:
            return show(raw, redactor)
        spliced.append(searched)
    text = spliced[0] if len(spliced) == 1 else b"".join(spliced)
    return ShownChunk(raw, Chunk(raw.offset, text, 0, len(text)), exact=False)


def _searchable_piece(piece: bytes, redactor: Redactor, finder: CandidateFinder) -> bytes | None:
    """The piece with each line that holds the search and that redaction may change replaced by
    its shown text; None when only whole-text redaction is right (see `Redactor.lines_to_redact`)."""
    needle_lines = finder.find(Chunk(0, piece, 0, len(piece))).needle_lines
    if not len(needle_lines):
        return piece
    shown = redactor.lines_to_redact(piece, holding=needle_lines)
    if not shown:
        return None if shown is None else piece
    parts, at = [], 0
    for start, stop in shown:
        parts.append(piece[at:start])
        parts.append(shown_text(piece[start:stop], redactor))
        at = stop
    parts.append(piece[at:])
    return b"".join(parts)
