"""SCIM filters (RFC 7644 §3.4.2.2), parsed by scim2-models, turned into a Django Q over our
tables. Only attributes we store can be filtered; anything else is an invalidFilter error, not
an empty result that would look like "nobody"."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Q
from scim2_models import InvalidFilterException
from scim2_models.path import Comparison, FilterNode, LogicalExpr, Not, Present, ValuePath
from scim2_models.path.expressions import CompareOperator, LogicalOperator

# SCIM attribute (lower-cased, with sub-attribute) -> (ORM lookup, case-exact, kind)
USER_FIELDS: dict[str, tuple[str, bool, str]] = {
    "id": ("id", True, "uuid"),
    "externalid": ("external_id", True, "text"),
    "username": ("user_name", False, "text"),
    "displayname": ("display_name", False, "text"),
    "title": ("title", False, "text"),
    "name.givenname": ("given_name", False, "text"),
    "name.familyname": ("family_name", False, "text"),
    "emails": ("user__email", False, "text"),
    "emails.value": ("user__email", False, "text"),
    "active": ("active", True, "bool"),
    "meta.created": ("created_at", True, "date"),
    "meta.lastmodified": ("updated_at", True, "date"),
    "groups": ("groups__id", True, "uuid"),
    "groups.value": ("groups__id", True, "uuid"),
    "groups.display": ("groups__display_name", False, "text"),
}
GROUP_FIELDS: dict[str, tuple[str, bool, str]] = {
    "id": ("id", True, "uuid"),
    "externalid": ("external_id", True, "text"),
    "displayname": ("display_name", False, "text"),
    "members": ("members__id", True, "uuid"),
    "members.value": ("members__id", True, "uuid"),
    "members.display": ("members__user_name", False, "text"),
    "meta.created": ("created_at", True, "date"),
    "meta.lastmodified": ("updated_at", True, "date"),
}

_TEXT_LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}
_NOTHING = Q(pk__in=[])


def _key(attr_path: Any, prefix: str | None) -> str:
    name = str(attr_path.attr)
    sub = attr_path.sub_attr
    if prefix:
        return f"{prefix}.{name}".lower()
    return (f"{name}.{sub}" if sub else name).lower()


def _comparison(node: Comparison, fields: dict, prefix: str | None) -> Q:
    key = _key(node.attr_path, prefix)
    if key not in fields:
        raise InvalidFilterException(detail=f"Filtering on “{node.attr_path}” is not supported.")
    lookup, case_exact, kind = fields[key]
    value, op = node.value, node.op
    if kind == "bool":
        if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
            raise InvalidFilterException(
                detail=f"“{node.attr_path}” compares with eq or ne to true or false."
            )
        # an entry whose IdP never said counts as active (identity.models.DirectoryUser)
        q = (
            Q(**{lookup: value}) | Q(**{f"{lookup}__isnull": True})
            if value
            else Q(**{lookup: False})
        )
        return ~q if op == CompareOperator.ne else q
    if kind == "uuid":
        if op not in (CompareOperator.eq, CompareOperator.ne):
            raise InvalidFilterException(detail=f"“{node.attr_path}” compares with eq or ne.")
        try:
            q = Q(**{lookup: uuid.UUID(str(value))})
        except ValueError:
            q = _NOTHING
        return ~q if op == CompareOperator.ne else q
    if not isinstance(value, str):
        raise InvalidFilterException(detail=f"Compare “{node.attr_path}” with a string.")
    if kind == "date":
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidFilterException(
                detail=f"Compare “{node.attr_path}” with a date and time (ISO 8601)."
            ) from None
    if op == CompareOperator.ne:
        return ~Q(**{f"{lookup}__{'exact' if case_exact else 'iexact'}": value})
    suffix = _TEXT_LOOKUPS[op]
    if not case_exact and suffix in ("exact", "contains", "startswith", "endswith"):
        suffix = f"i{suffix}"
    return Q(**{f"{lookup}__{suffix}": value})


def _q(node: FilterNode, fields: dict, prefix: str | None = None) -> Q:
    if isinstance(node, Comparison):
        return _comparison(node, fields, prefix)
    if isinstance(node, Present):
        key = _key(node.attr_path, prefix)
        if key not in fields:
            raise InvalidFilterException(
                detail=f"Filtering on “{node.attr_path}” is not supported."
            )
        lookup = fields[key][0]
        return (
            Q(**{f"{lookup}__isnull": False}) & ~Q(**{lookup: ""})
            if fields[key][2] == "text"
            else Q(**{f"{lookup}__isnull": False})
        )
    if isinstance(node, Not):
        return ~_q(node.expr, fields, prefix)
    if isinstance(node, LogicalExpr):
        terms = [_q(t, fields, prefix) for t in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined
    if isinstance(node, ValuePath):
        return _q(node.val_filter, fields, str(node.attr_path.attr))
    raise InvalidFilterException(detail="This filter is not supported.")


def filter_q(ast: FilterNode | None, fields: dict[str, tuple[str, bool, str]]) -> Q:
    return Q() if ast is None else _q(ast, fields)
