"""JSON from outside, parsed with bounds: nesting depth, and every string and key checked
like any other text (edge.text). Used for request bodies by the middleware and for uploaded
documents (a configuration import) by the views that take them."""

from __future__ import annotations

import json
from typing import Any

from edge.text import HostileInput, text_check

# Our deepest real document (a configuration export) nests 6 levels; 32 leaves room.
MAX_DEPTH = 32


def json_value_check(document: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Walks a parsed document without recursion; raises HostileInput on too deep a nesting
    or a string or key that text_check refuses."""
    stack: list[tuple[Any, int, str]] = [(document, 1, "the JSON body")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, str):
            text_check(value, where=where)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise HostileInput(f"The JSON is nested more than {max_depth} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                text_check(key, where="A JSON key", line=True)
                stack.append((item, depth + 1, f"The field “{key[:40]}”"))
        else:
            stack.extend((item, depth + 1, where) for item in value)


class MalformedJSON(HostileInput):
    """Not JSON at all (bad syntax, bad encoding, a number too long to convert)."""


def json_loads_bounded(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads that refuses what the rest of the code must never see: MalformedJSON for
    what does not parse, HostileInput for what parses but may not go further. Both are
    ValueErrors with a sentence in `message`."""
    try:
        document = json.loads(raw)
    except RecursionError:
        raise HostileInput(f"The JSON is nested more than {max_depth} levels deep.") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise MalformedJSON(f"This is not valid JSON: {exc}.") from None
    json_value_check(document, max_depth=max_depth)
    return document
