"""What an attacker sends, and where: hostile values, the forms a page offers (parsed from its
HTML) and the operations the API documents (from its own OpenAPI document). Shared by the
hostile-input sweep and the probe's named cases."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

NUL = "\x00"
# Values for one-line places (query parameters, path segments).
LINE_VALUES = [
    NUL,
    "a\x00b",
    "a\x01\x1b[31mb",
    "x" * 5_000,  # over the edge's one-line limit
    "x" * 3_900,  # under it: the view must cope
    "Zoë 🚀 ₹ 漢字 \u202eevil\u202c e\u0301",
    "-1",
    "99999999999999999999999",
    "1e309",
    "' OR 1=1 --",
    "00000000-0000-0000-0000-000000000000",
]
# Values the edge refuses in any form field (with a 400 before any view runs).
EDGE_FORM_VALUES = [NUL, "a\x0bb", "x" * 100_001]
# Values that pass the edge: each field of each form must cope with them on its own.
FORM_VALUES = [
    "x" * 60_000,  # under the edge's limit: every field must have its own bound
    "Zoë 🚀 ₹ 漢字 \u202eevil\u202c\r\nline two",
    "-99999999999999999999999",
    "1e309",
    "9999-99-99",
    " ",
]
# Values for JSON fields: every type where a string is expected, and the reverse.
JSON_VALUES: list[object] = [
    NUL,
    "a\u0000b",
    "\ud800",
    "x" * 60_000,
    "Zoë 🚀 ₹ 漢字 \u202e",
    10**30,
    -(10**30),
    1e308,
    -1,
    [],
    {},
    None,
    True,
    "99999999999999999999999",
    "0000-00-00",
]


def json_body(value: object) -> str:
    """JSON text; a lone surrogate survives as its \\uXXXX escape, as a client would send it."""
    return json.dumps(value, ensure_ascii=True)


def deep_json(depth: int = 1_000) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def has_forbidden(value: object) -> bool:
    text = json.dumps(value) if not isinstance(value, str) else value
    return any(c in text for c in ("\x00", "\x01", "\x0b", "\\u0000", "\\ud800")) or (
        isinstance(value, str) and "\ud800" in value
    )


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    # names of checkbox and radio inputs: a matrix of them says the same thing many times
    toggles: set[str] = field(default_factory=set)

    def fields_to_probe(self, *, toggles: int = 3) -> list[str]:
        """Every field that takes typed input, and the first few toggles."""
        typed = [n for n in self.fields if n not in self.toggles and n != "csrfmiddlewaretoken"]
        return typed + [n for n in self.fields if n in self.toggles][:toggles]


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[HtmlForm] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_path
            self.forms.append(HtmlForm(action=action, method=(a.get("method") or "get").lower()))
            return
        if not self.forms:
            return
        fields = self.forms[-1].fields
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                self.forms[-1].toggles.add(name)
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, "")
            else:
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not self.forms[-1].fields.get(self._select):
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def forms_of(html: str, page_path: str) -> list[HtmlForm]:
    """The forms of a page that post to our own host (relative or same-path actions)."""
    parser = _FormParser(page_path)
    parser.feed(html)
    forms = []
    for form in parser.forms:
        parts = urlsplit(form.action)
        if parts.netloc:
            continue
        form.action = parts.path or page_path
        forms.append(form)
    return forms


@dataclass
class ApiOperation:
    method: str
    path: str
    query: list[str]
    body: list[str]


def api_operations(schema: dict, fill: dict[str, str]) -> list[ApiOperation]:
    """Every operation of an OpenAPI document, path parameters filled from `fill` (by name)."""
    operations = []
    components = schema.get("components", {}).get("schemas", {})
    for template, item in schema["paths"].items():
        path = template
        for name, value in fill.items():
            path = path.replace("{" + name + "}", value)
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            query = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            body: list[str] = []
            content = op.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
            if ref:
                body = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            operations.append(ApiOperation(method, path, query, body))
    return operations
