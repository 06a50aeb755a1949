"""What a token may do: read or write, per family of API resources.

Every API view names its family (`token_scope`); tenants.api.IsCompanyMember asks the token
whether it permits that family for the request's method. A view without a family is refused to
tokens (fail closed). Write implies read. `me` (who am I) is open to every token."""

from __future__ import annotations

from collections.abc import Iterable

READ, WRITE = "read", "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN = "me"

FAMILIES: dict[str, str] = {
    "records": "Records: opportunities, solutions, marketing plans, shared records, approvals",
    "partners": "Partners: partnerships and the company directory",
    "configuration": "Configuration: custom fields and the company profile",
    "reports": "Reports: metrics",
}
READ_ONLY_FAMILIES = frozenset({"reports"})
SCIM = "scim"  # the directory sync's own scope; no API family grants it

ALL_SCOPES: tuple[str, ...] = tuple(
    f"{family}:{level}"
    for family in FAMILIES
    for level in ((READ,) if family in READ_ONLY_FAMILIES else (READ, WRITE))
)


def scope_label(scope: str) -> str:
    family, _, level = scope.partition(":")
    return f"{family.title()} ({level})" if family in FAMILIES else scope


def scopes_clean(scopes: Iterable[str]) -> list[str]:
    """The known scopes among `scopes`, in a stable order; raises ValueError on an unknown one."""
    given = {str(s).strip() for s in scopes if str(s).strip()}
    unknown = given - set(ALL_SCOPES)
    if unknown:
        raise ValueError(f"Unknown scope: {', '.join(sorted(unknown))}.")
    return [s for s in ALL_SCOPES if s in given]


def scopes_permit(scopes: Iterable[str], *, family: str | None, method: str) -> bool:
    if family == OPEN:
        return True
    if family is None or family not in FAMILIES:
        return False
    granted = set(scopes)
    if method.upper() in SAFE_METHODS:
        return f"{family}:{READ}" in granted or f"{family}:{WRITE}" in granted
    return f"{family}:{WRITE}" in granted
