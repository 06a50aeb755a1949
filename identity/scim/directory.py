"""What SCIM writes mean for a company: a directory user is a membership, deactivating one
ends it (sessions and tokens with it, through tenants.hooks), and groups the admin mapped to a
role set members' roles. The global user and their history are never deleted.

The trust rule of single sign-on holds here too: the directory creates or links people only
for addresses on the company's verified domains (and links people already in the company);
anyone else's entry waits unlinked, with the same answer whether or not the address has an
account, so the directory neither claims other companies' people nor tells who is registered.
A person's login address and (outside verified domains) their name are theirs, not the IdP's:
the directory keeps its own copy of both. The directory acts with an owner's authority over
memberships, which is why only owners hand out its token (identity.scim.setup)."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from scim2_models import (
    InvalidValueException,
    MutabilityException,
    UniquenessException,
)

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import (
    DirectoryGroup,
    DirectoryGroupMember,
    DirectoryUser,
    SsoPolicy,
    User,
)
from identity.sso.domains import email_domain, verified_domains_of
from tenants.models import Company, Membership, Role
from tenants.services.memberships import membership_add, membership_remove

_ROLE_RANK = {Role.MEMBER: 0, Role.ADMIN: 1}


@dataclass
class UserData:
    """A SCIM User's attributes that we keep, read from a validated resource."""

    user_name: str
    external_id: str = ""
    display_name: str = ""
    given_name: str = ""
    family_name: str = ""
    formatted_name: str = ""
    title: str = ""
    emails: list[dict[str, Any]] = field(default_factory=list)
    active: bool | None = True

    @property
    def login_email(self) -> str:
        primary = next((e for e in self.emails if e.get("primary")), None)
        chosen = (primary or (self.emails[0] if self.emails else {})).get("value") or ""
        if not chosen and "@" in self.user_name:
            chosen = self.user_name
        return chosen.strip().lower()

    @property
    def full_name(self) -> str:
        joined = " ".join(p for p in (self.given_name, self.family_name) if p)
        return (self.display_name or joined)[:150]


def _authority(company: Company) -> Membership:
    """The directory acts with an owner's authority over memberships (an IdP offboards owners
    too; the last owner is still protected by membership_remove)."""
    return Membership(company=company, role=Role.OWNER)


def _owns(company: Company, email: str) -> bool:
    return email_domain(email) in verified_domains_of(company_id=company.pk)


def roles_of(company_id: int, entries: list[DirectoryUser]) -> dict[int, str]:
    """The role each entry's groups give (by entry id), in two queries. Once the admin maps any
    group to a role, groups decide: someone in no mapped group is a member. Before that,
    nobody is in the result: roles stay as set in Settings → Members."""
    if not DirectoryGroup.objects.filter(company_id=company_id).exclude(role="").exists():
        return {}
    roles = {entry.pk: Role.MEMBER for entry in entries}
    rows = (
        DirectoryGroupMember.objects.filter(member__in=[e.pk for e in entries])
        .exclude(group__role="")
        .values_list("member_id", "group__role")
    )
    for member_id, role in rows:
        roles[member_id] = max(roles[member_id], role, key=lambda r: _ROLE_RANK[r])
    return roles


def _role_sync(actor: User, entries: list[DirectoryUser]) -> None:
    """Gives each linked, active entry's membership the role its groups give (owners keep
    theirs): a few queries whatever the number of entries, one update and audit per change."""
    entries = [e for e in entries if e.user_id is not None and e.is_active]
    if not entries:
        return
    company_id = entries[0].company_id
    wanted = roles_of(company_id, entries)
    by_user = {e.user_id: wanted[e.pk] for e in entries if e.pk in wanted}
    memberships = Membership.objects.filter(
        company_id=company_id, user_id__in=list(by_user)
    ).select_related("user", "company")
    for membership in memberships:
        role = by_user[membership.user_id]
        if membership.role in (Role.OWNER, role):
            continue
        before = membership.role
        Membership.objects.filter(pk=membership.pk).update(role=role)
        audit_event_record(
            actor=actor,
            company=membership.company,
            action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
            target=membership,
            before={"role": before},
            after={"role": role, "user": membership.user.email, "by": "directory group"},
        )


def _snapshot(entry: DirectoryUser) -> dict[str, Any]:
    return {
        "userName": entry.user_name,
        "externalId": entry.external_id,
        "displayName": entry.display_name,
        "name": f"{entry.given_name} {entry.family_name}".strip(),
        "title": entry.title,
        "emails": [e.get("value") for e in entry.emails],
        "active": entry.active,
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _apply(entry: DirectoryUser, data: UserData) -> None:
    entry.user_name = data.user_name[:254]
    entry.external_id = data.external_id[:255]
    entry.display_name = data.display_name[:150]
    entry.given_name = data.given_name[:150]
    entry.family_name = data.family_name[:150]
    entry.formatted_name = data.formatted_name[:300]
    entry.title = data.title[:120]
    entry.emails = data.emails[:10]


def _name_check(company: Company, user_name: str, exclude: Any = None) -> None:
    if not user_name.strip():
        raise InvalidValueException(detail="A user needs a userName.")
    taken = DirectoryUser.objects.filter(company=company, user_name__iexact=user_name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise UniquenessException(detail=f"userName “{user_name}” is already in this directory.")


def _email_check(email: str) -> None:
    if len(email) > 254:
        raise InvalidValueException(detail="The e-mail address is longer than 254 characters.")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValueException(detail=f"“{email[:80]}” is not an e-mail address.") from None
    if any(unicodedata.category(ch) == "Cf" for ch in email):
        raise InvalidValueException(detail="The e-mail address has invisible characters in it.")


def _person_for(company: Company, data: UserData) -> tuple[User | None, bool]:
    """The global user the entry stands for, and whether it was made now. None: the address is
    not this directory's to vouch for (outside the company's verified domains, and not already
    a member): the entry waits unlinked, and the answer is the same whether or not the address
    has an account (the directory cannot be used to find out who is registered)."""
    email = data.login_email
    _email_check(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_service_account:
        return None, False
    if user is not None and DirectoryUser.objects.filter(company=company, user=user).exists():
        raise UniquenessException(detail=f"“{email}” is already in this directory.")
    in_company = user is not None and Membership.objects.filter(company=company, user=user).exists()
    if not in_company and not _owns(company, email):
        return None, False
    if user is None:
        user = User(email=email, full_name=data.full_name)
        user.set_unusable_password()
        user.save()
        return user, True
    return user, False


def _is_member(entry: DirectoryUser) -> bool:
    return entry.user_id is not None and (
        Membership.objects.filter(company_id=entry.company_id, user_id=entry.user_id).exists()
    )


def user_create(*, actor: User, company: Company, data: UserData) -> DirectoryUser:
    _name_check(company, data.user_name)
    try:
        with transaction.atomic():
            user, created = _person_for(company, data) if data.login_email else (None, False)
            entry = DirectoryUser(company=company, user=user, active=data.active)
            _apply(entry, data)
            entry.save()
            member = _is_member(entry)
            if user is not None and entry.is_active and not member:
                membership_add(actor=actor, company=company, user=user, role=Role.MEMBER)
                Membership.objects.filter(company=company, user=user, title="").update(
                    title=entry.title
                )
            elif member and not entry.is_active:  # the IdP says this member has left
                _deactivate(actor, entry)
            if user is not None and not created and data.full_name and _owns(company, user.email):
                User.objects.filter(pk=user.pk).update(full_name=data.full_name)
            audit_event_record(
                actor=actor,
                company=company,
                action=AuditAction.SCIM_USER_CREATED,
                target=entry,
                after={**_snapshot(entry), "new_account": created},
            )
    except IntegrityError as exc:  # a concurrent create of the same person
        raise UniquenessException(detail="This user is already in this directory.") from exc
    return entry


def user_update(*, actor: User, entry: DirectoryUser, data: UserData) -> DirectoryUser:
    """A replacement (PUT) or the result of a PATCH: the entry takes `data` whole."""
    _name_check(entry.company, data.user_name, exclude=entry.pk)
    before = _snapshot(entry)
    was_member = _is_member(entry)
    with transaction.atomic():
        if entry.user_id is None and data.login_email:
            entry.user, _ = _person_for(entry.company, data)
        _apply(entry, data)
        entry.active = data.active
        entry.version = F("version") + 1
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as exc:  # a concurrent rename to the same userName
            raise UniquenessException(detail="This userName is already in this directory.") from exc
        entry.refresh_from_db()
        # `active` left out (a PUT without it, a PATCH removing it) changes nothing: only an
        # explicit `active: true` brings a deactivated person back
        is_member = (
            entry.user_id is not None
            and entry.is_active
            and (data.active is not None or was_member)
        )
        if was_member and not is_member:
            _deactivate(actor, entry)
        elif is_member and not was_member:
            _reactivate(actor, entry)
        elif is_member:
            Membership.objects.filter(company=entry.company, user=entry.user).update(
                title=entry.title
            )
        if entry.user_id and data.full_name and _owns(entry.company, entry.user.email):
            User.objects.filter(pk=entry.user_id).update(full_name=data.full_name)
        old, new = _diff(before, _snapshot(entry))
        if old or new:
            audit_event_record(
                actor=actor,
                company=entry.company,
                action=AuditAction.SCIM_USER_UPDATED,
                target=entry,
                before=old,
                after=new,
            )
    return entry


def _deactivate(actor: User, entry: DirectoryUser) -> None:
    membership = (
        Membership.objects.filter(company=entry.company, user=entry.user)
        .select_related("user", "company")
        .first()
    )
    if (
        membership is not None
        and SsoPolicy.objects.filter(
            company_id=entry.company_id, break_glass=entry.user_id
        ).exists()
    ):
        # break-glass owners are there for when the IdP is wrong: it cannot remove them
        raise MutabilityException(
            detail="This owner is a break-glass owner of the company; the identity provider "
            "cannot remove them. An owner can, in Settings → Members."
        )
    if membership is not None:
        try:
            membership_remove(
                actor=actor, actor_membership=_authority(entry.company), membership=membership
            )
        except (ValidationError, PermissionDenied) as exc:  # the last owner
            raise MutabilityException(
                detail=" ".join(getattr(exc, "messages", [str(exc)]))
            ) from exc
    audit_event_record(
        actor=actor,
        company=entry.company,
        action=AuditAction.SCIM_USER_DEACTIVATED,
        target=entry,
        before={"user": entry.user.email, "active": True},
        after={"active": False},
    )


def _reactivate(actor: User, entry: DirectoryUser) -> None:
    membership_add(actor=actor, company=entry.company, user=entry.user, role=Role.MEMBER)
    Membership.objects.filter(company=entry.company, user=entry.user).update(title=entry.title)
    _role_sync(actor, [entry])
    audit_event_record(
        actor=actor,
        company=entry.company,
        action=AuditAction.SCIM_USER_REACTIVATED,
        target=entry,
        before={"active": False},
        after={"user": entry.user.email, "active": True},
    )


def user_delete(*, actor: User, entry: DirectoryUser) -> None:
    """Ends the membership and forgets the directory entry; the person keeps their account,
    their other companies and everything they did here."""
    with transaction.atomic():
        if _is_member(entry):
            _deactivate(actor, entry)
        audit_event_record(
            actor=actor,
            company=entry.company,
            action=AuditAction.SCIM_USER_DELETED,
            target=entry,
            before=_snapshot(entry),
        )
        entry.delete()


# -- groups ---------------------------------------------------------------------------------


@dataclass
class GroupData:
    display_name: str
    external_id: str = ""
    # member id -> the display label the IdP gave it
    members: dict[str, str] = field(default_factory=dict)


def _members_of(company: Company, given: dict[str, str]) -> list[tuple[DirectoryUser, str]]:
    """The directory users `given` names (id -> display), checked to be this company's."""
    labels: dict[uuid.UUID, str] = {}
    for raw, display in given.items():
        try:
            labels[uuid.UUID(str(raw))] = (display or "")[:300]
        except ValueError:
            raise InvalidValueException(detail=f"No user “{raw[:80]}” in this directory.") from None
    found = list(DirectoryUser.objects.filter(company=company, pk__in=list(labels)))
    if len(found) != len(labels):
        raise InvalidValueException(detail="A member is not a user of this directory.")
    return [(entry, labels[entry.pk]) for entry in found]


def _members_set(group: DirectoryGroup, members: list[tuple[DirectoryUser, str]]) -> None:
    DirectoryGroupMember.objects.filter(group=group).delete()
    DirectoryGroupMember.objects.bulk_create(
        DirectoryGroupMember(group=group, member=entry, display=display)
        for entry, display in members
    )


def _group_name_check(company: Company, name: str, exclude: Any = None) -> None:
    if not name.strip():
        raise InvalidValueException(detail="A group needs a displayName.")
    taken = DirectoryGroup.objects.filter(company=company, display_name__iexact=name.strip())
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise UniquenessException(detail=f"A group “{name}” is already in this directory.")


def group_create(*, actor: User, company: Company, data: GroupData) -> DirectoryGroup:
    _group_name_check(company, data.display_name)
    members = _members_of(company, data.members)
    try:
        with transaction.atomic():
            group = DirectoryGroup.objects.create(
                company=company,
                display_name=data.display_name.strip()[:150],
                external_id=data.external_id[:255],
            )
            _members_set(group, members)
            audit_event_record(
                actor=actor,
                company=company,
                action=AuditAction.SCIM_GROUP_CREATED,
                target=group,
                after={"displayName": group.display_name, "members": len(members)},
            )
    except IntegrityError as exc:
        raise UniquenessException(detail="This group is already in this directory.") from exc
    return group


def group_update(*, actor: User, group: DirectoryGroup, data: GroupData) -> DirectoryGroup:
    _group_name_check(group.company, data.display_name, exclude=group.pk)
    members = _members_of(group.company, data.members)
    before_ids = set(group.members.values_list("pk", flat=True))
    after_ids = {entry.pk for entry, _ in members}
    before = {"displayName": group.display_name, "externalId": group.external_id}
    with transaction.atomic():
        group.display_name = data.display_name.strip()[:150]
        group.external_id = data.external_id[:255]
        group.version = F("version") + 1
        group.save()
        group.refresh_from_db()
        _members_set(group, members)
        changed = list(DirectoryUser.objects.filter(pk__in=before_ids ^ after_ids))
        _role_sync(actor, changed)
        after = {"displayName": group.display_name, "externalId": group.external_id}
        old, new = _diff(before, after)
        if before_ids != after_ids:
            old["members"], new["members"] = len(before_ids), len(after_ids)
        if old or new:
            audit_event_record(
                actor=actor,
                company=group.company,
                action=AuditAction.SCIM_GROUP_UPDATED,
                target=group,
                before=old,
                after=new,
            )
    return group


def group_delete(*, actor: User, group: DirectoryGroup) -> None:
    with transaction.atomic():
        members = list(group.members.all())
        audit_event_record(
            actor=actor,
            company=group.company,
            action=AuditAction.SCIM_GROUP_DELETED,
            target=group,
            before={"displayName": group.display_name, "role": group.role},
        )
        group.delete()
        _role_sync(actor, members)


def group_role_set(
    *, actor: User, actor_membership: Membership, group: DirectoryGroup, role: str
) -> DirectoryGroup:
    """An admin's choice of the role a group gives (the IdP cannot choose it)."""
    if not actor_membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins map groups to roles.")
    if role not in ("", Role.ADMIN, Role.MEMBER):
        raise ValidationError("Choose admin, member or no role.")
    before = group.role
    with transaction.atomic():
        group.role = role
        group.updated_at = timezone.now()
        group.save(update_fields=["role", "updated_at"])
        # the first mapping makes groups decide everyone's role (roles_of)
        _role_sync(
            actor, list(DirectoryUser.objects.filter(company=group.company).exclude(active=False))
        )
        audit_event_record(
            actor=actor,
            company=group.company,
            action=AuditAction.SCIM_GROUP_ROLE_SET,
            target=group,
            before={"role": before},
            after={"role": role, "group": group.display_name},
        )
    return group
