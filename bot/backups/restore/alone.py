"""How a statement is spelled so that it goes to the server as one simple query, one round trip.

A statement whose only semicolon is its last character cannot hold two commands however a server
might read it: the grammar needs a semicolon between them. Most routines have semicolons inside
their dollar-quoted bodies, so each such body is spelled as the escape string it stands for
(`E'...'`: every `;` written `\\073`, every backslash and quote doubled), which the server reads as
the very same string, and the statement then has one semicolon, its last. The guarantee rests on
that count, checked on the final text, not on the lexer having found the strings where the
server would. Any other statement (a semicolon in a quoted string or identifier, a SQL-standard
`BEGIN ATOMIC` body) has no such spelling and goes through the extended query protocol, which
refuses a second command but takes two round trips.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A longer statement takes far longer to send and parse than the round trip its spelling saves.
RESPELL_LIMIT = 64 * 1024
# A string constant followed by a quote after whitespace with a newline (`--` comments count as
# whitespace) continues in it: never so after a dollar-quoted string, so never respelled there.
_CONTINUED = re.compile(rb"(?:[ \t\n\r\f\v]++|--[^\n\r]*+)*+'")


def _alone_by_construction(sql: bytes) -> bool:
    """Whether ``sql`` holds a single command under any reading: its one semicolon ends it."""
    return sql.endswith(b";") and sql.count(b";") == 1


def one_command_spelling(text: bytes, dollar_quotes: Sequence[tuple[int, int]]) -> bytes | None:
    """``text`` spelled with one semicolon, its last character, or None when it has no such spelling.

    ``dollar_quotes``: the (start, end) offsets of its dollar-quoted strings, tags included.
    """
    if _alone_by_construction(text):
        return text
    if not dollar_quotes or len(text) > RESPELL_LIMIT:
        return None
    pieces: list[bytes] = []
    position = 0
    for start, end in dollar_quotes:
        tag = text.index(b"$", start + 1) + 1 - start  # the length of `$$` or `$tag$`
        body = text[start + tag : end - tag]
        if b";" not in body or _CONTINUED.match(text, end):
            continue
        escaped = body.replace(b"\\", b"\\\\").replace(b"'", b"''").replace(b";", b"\\073")
        pieces += [text[position:start], b" E'", escaped, b"'"]
        position = end
    pieces.append(text[position:])
    spelled = b"".join(pieces)
    return spelled if _alone_by_construction(spelled) else None
