"""Characters no field of ours accepts.

PostgreSQL refuses NUL in text (psycopg raises before the query is sent), a lone UTF-16
surrogate cannot be encoded to UTF-8 at all, and the other C0 control characters only ever
arrive from a fuzzer or a broken client. Tab, line feed and carriage return are text."""

from __future__ import annotations

import re

# C0 controls except \t \n \r, DEL, and lone surrogates (only reachable through JSON's \uXXXX).
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# In a path, a query parameter or a header nothing of the kind belongs, not even a line break.
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

# The longest single value we accept anywhere; no field of ours holds more.
MAX_TEXT_CHARS = 100_000
# A query parameter or a path is one line typed or linked by a person.
MAX_LINE_CHARS = 4_000


class HostileInput(ValueError):
    """Input refused at the edge. `message` is a sentence for the person or integration;
    `status` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _describe(char: str) -> str:
    if char == "\x00":
        return "a NUL byte"
    if "\ud800" <= char <= "\udfff":
        return "an unpaired UTF-16 surrogate"
    return f"the control character U+{ord(char):04X}"


def text_check(value: str, *, where: str, line: bool = False) -> None:
    """Raises HostileInput if `value` holds a character no field accepts or is absurdly long.
    `where` names the place for the message (a field, a parameter); `line` is for values that
    are one line by nature (paths, query parameters, headers)."""
    limit = MAX_LINE_CHARS if line else MAX_TEXT_CHARS
    if len(value) > limit:
        raise HostileInput(
            f"{where} is {len(value):,} characters long; the limit is {limit:,}.",
            status=400,
        )
    found = (_FORBIDDEN_IN_LINE if line else _FORBIDDEN_IN_TEXT).search(value)
    if found:
        raise HostileInput(f"{where} contains {_describe(found.group())}, which we don't accept.")
