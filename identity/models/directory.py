"""Each company's copy of its identity provider's directory, as SCIM (RFC 7643) delivers it.

A DirectoryUser is the SCIM resource for one person in one company: it outlives the membership
when the IdP deactivates them (active=False), so the IdP can read it back and reactivate it,
and deleting it never deletes the global user or anything they did. A DirectoryGroup is an IdP
group; the admin maps a group to a role (or to none)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from tenants.models import Role


class DirectoryUser(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="directory_users"
    )
    # None until the IdP gives an e-mail address: without one there is nobody to sign in,
    # so no membership either (a userName such as an employee number is not a login)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="directory_entries",
    )
    # userName as the IdP sent it (RFC 7643 §4.1.1: unique, case-insensitive); usually the
    # e-mail address, which is kept on the user
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    formatted_name = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=120, blank=True)
    # the addresses as the IdP lists them ([{value, type, primary}]): directory data. The
    # person's login address is user.email and is never changed by an IdP (it is theirs
    # across the whole network).
    emails = models.JSONField(default=list, blank=True)
    # None: the IdP did not say (RFC 7643 leaves `active` optional); counts as active
    active = models.BooleanField(null=True, blank=True, default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="directory_user_once"),
            models.UniqueConstraint(
                "company", Lower("user_name"), name="directory_user_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} @ {self.company_id}"

    @property
    def is_active(self) -> bool:
        return self.active is not False


class DirectoryGroup(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="directory_groups"
    )
    display_name = models.CharField(max_length=150)
    external_id = models.CharField(max_length=255, blank=True)
    # the company role its members get; "" = the group grants no role (only owners and admins
    # set this, in Settings → Single sign-on; the IdP cannot)
    role = models.CharField(
        max_length=10,
        choices=[("", "No role"), (Role.ADMIN, "Admin"), (Role.MEMBER, "Member")],
        blank=True,
        default="",
    )
    members = models.ManyToManyField(
        DirectoryUser, related_name="groups", blank=True, through="DirectoryGroupMember"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                "company", Lower("display_name"), name="directory_group_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class DirectoryGroupMember(models.Model):
    group = models.ForeignKey(DirectoryGroup, on_delete=models.CASCADE)
    member = models.ForeignKey(DirectoryUser, on_delete=models.CASCADE)
    # the member's name as the IdP labels it in this group (RFC 7643 §4.2 members.display)
    display = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="directory_group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.group_id}"
