"""Web domains as people type them ("https://www.Contoso.com/about") in the one form accounts
keep and match on ("contoso.com")."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_DOMAINS = 20


def web_domain_normalize(text: str) -> str:
    """The domain's plain form, or "" for blank input; a ValidationError for anything that is
    not a domain."""
    value = (text or "").strip().lower()
    if not value:
        return ""
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value).split("/")[0].split("?")[0]
    value = value.split("@")[-1].split(":")[0].rstrip(".").removeprefix("www.")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(f"“{text[:80]}” is not a web domain (e.g. contoso.com).") from exc
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(LABEL.match(x) for x in labels):
        raise ValidationError(f"“{text[:80]}” is not a web domain (e.g. contoso.com).")
    return value


def web_domains_normalize(values: list[str] | str) -> list[str]:
    """Several domains (a list, or text separated by commas, spaces or lines), normalised,
    duplicates dropped, order kept (the first is the account's main domain)."""
    if isinstance(values, str):
        values = re.split(r"[\s,;]+", values)
    seen: list[str] = []
    errors = []
    for value in values:
        try:
            domain = web_domain_normalize(value)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if domain and domain not in seen:
            seen.append(domain)
    if errors:
        raise ValidationError(errors)
    if len(seen) > MAX_DOMAINS:
        raise ValidationError(f"An account can have at most {MAX_DOMAINS} domains.")
    return seen
