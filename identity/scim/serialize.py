"""Directory rows <-> scim2-models resources."""

from __future__ import annotations

from typing import Any

from identity.models import DirectoryGroup, DirectoryUser
from identity.scim.directory import GroupData, UserData
from identity.scim.resources import ScimGroup, ScimUser


def _meta(kind: str, row: Any, base: str) -> dict[str, Any]:
    return {
        "resource_type": kind,
        "created": row.created_at,
        "last_modified": row.updated_at,
        "location": f"{base}/{kind}s/{row.pk}",
        "version": f'W/"{row.version}"',
    }


def user_resource(entry: DirectoryUser, base: str) -> Any:
    name = None
    if entry.given_name or entry.family_name or entry.formatted_name:
        name = {
            "given_name": entry.given_name or None,
            "family_name": entry.family_name or None,
            "formatted": entry.formatted_name or None,
        }
    groups = [
        {"value": str(g.pk), "display": g.display_name, "ref": f"{base}/Groups/{g.pk}"}
        for g in entry.groups.all()
    ]
    return ScimUser(
        id=str(entry.pk),
        external_id=entry.external_id or None,
        user_name=entry.user_name,
        display_name=entry.display_name or None,
        title=entry.title or None,
        name=name,
        emails=entry.emails or None,
        active=entry.active,
        groups=groups or None,
        meta=_meta("User", entry, base),
    )


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def user_data(resource: Any) -> UserData:
    name = resource.name
    emails = []
    for email in resource.emails or []:
        if email.value:
            item: dict[str, Any] = {"value": str(email.value)}
            if email.type:
                item["type"] = str(email.type)
            if email.primary is not None:
                item["primary"] = bool(email.primary)
            if email.display:
                item["display"] = str(email.display)
            emails.append(item)
    return UserData(
        user_name=_text(resource.user_name),
        external_id=_text(resource.external_id),
        display_name=_text(resource.display_name),
        given_name=_text(name.given_name) if name else "",
        family_name=_text(name.family_name) if name else "",
        formatted_name=_text(name.formatted) if name else "",
        title=_text(resource.title),
        emails=emails,
        active=resource.active,
    )


def group_resource(group: DirectoryGroup, base: str) -> Any:
    members = [
        {
            "value": str(row.member_id),
            "display": row.display or row.member.display_name or row.member.user_name,
            "ref": f"{base}/Users/{row.member_id}",
            "type": "User",
        }
        for row in group.directorygroupmember_set.all()
    ]
    return ScimGroup(
        id=str(group.pk),
        external_id=group.external_id or None,
        display_name=group.display_name,
        members=members or None,
        meta=_meta("Group", group, base),
    )


def group_data(resource: Any) -> GroupData:
    return GroupData(
        display_name=_text(resource.display_name),
        external_id=_text(resource.external_id),
        members={str(m.value): str(m.display or "") for m in resource.members or [] if m.value},
    )
