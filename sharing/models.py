"""The network's edges and what travels along them. All in the public schema.

Partnership: two companies, invited → active → ended (or declined). Only active partners can be
put on a sharing list (invariant 5)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least

from canonical import DealRole, SharingRole  # noqa: F401 (the network vocabularies sharing uses)
from kinds import kind_get


class PartnershipStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    ENDED = "ended", "Ended"


OPEN_STATUSES = (PartnershipStatus.INVITED, PartnershipStatus.ACTIVE)


class Partnership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="partnerships_requested"
    )
    addressee = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="partnerships_received"
    )
    status = models.CharField(
        max_length=10, choices=PartnershipStatus.choices, default=PartnershipStatus.INVITED
    )
    message = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=models.F("addressee")), name="partnership_not_self"
            ),
            # One open partnership per pair of companies, whichever invited whom.
            models.UniqueConstraint(
                Least("requester", "addressee"),
                Greatest("requester", "addressee"),
                condition=Q(status__in=["invited", "active"]),
                name="partnership_one_open_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "status"]),
            models.Index(fields=["addressee", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.requester} ↔ {self.addressee} ({self.status})"

    def other(self, company) -> models.Model:  # type: ignore[no-untyped-def]
        """The partner, seen from `company`'s side."""
        return self.addressee if company.pk == self.requester_id else self.requester

    @property
    def since(self):  # type: ignore[no-untyped-def]
        return self.responded_at if self.status == PartnershipStatus.ACTIVE else self.created_at


class SharedRecord(models.Model):
    """The published part of a company's record. Only fields the owner's share policy allows
    are ever written here (sharing.records.services.publish); the private record stays in the owner's
    schema, linked by source_id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # a record kind's key (kinds registry): checked by the publish step, not a database enum,
    # so a new kind needs no migration here
    kind = models.CharField(max_length=20)
    owner = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="shared_records"
    )
    source_id = models.UUIDField()
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    restrict_participants = models.BooleanField(
        default=False, help_text="Participants see only the owner and themselves."
    )
    participants_may_share = models.BooleanField(
        default=False, help_text="Managers may add further partners."
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("share_sharedrecord", "Can add partners to a shared record")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "source_id"], name="sharedrecord_one_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "-last_activity_at"]),
            models.Index(fields=["-last_activity_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        spec = kind_get(self.kind)
        return spec.label if spec is not None else self.kind


# A sharing-list entry is this set of guardian permissions; the role picks the set.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    SharingRole.VIEWER: ("view_sharedrecord",),
    SharingRole.CONTRIBUTOR: ("view_sharedrecord", "change_sharedrecord"),
    SharingRole.MANAGER: ("view_sharedrecord", "change_sharedrecord", "share_sharedrecord"),
}


def role_from_codenames(codenames: set[str]) -> str | None:
    for role in (SharingRole.MANAGER, SharingRole.CONTRIBUTOR, SharingRole.VIEWER):
        if set(ROLE_PERMISSIONS[role]) <= codenames:
            return role
    return None


class SharingEntryFields(models.Model):
    """What guardian's permission rows carry for us: the company the entry is for, and who
    added it when. The sharing list is these rows grouped by company (and user)."""

    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Copies of the record's sort and filter keys, so an inbox page reads 50 entries straight
    # off one index instead of probing every visible record. Kept in step by
    # sharing.records.services.entries; they never decide access (the row's existence does).
    record_kind = models.CharField(max_length=20, default="")
    record_stage = models.CharField(max_length=20, default="", blank=True)
    record_owner = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, null=True, db_index=False, related_name="+"
    )
    record_activity_at = models.DateTimeField(null=True)
    record_archived = models.BooleanField(default=False)

    class Meta:
        abstract = True


from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase  # noqa: E402


class SharedRecordGroupPermission(GroupObjectPermissionBase, SharingEntryFields):  # noqa: DJ008 (guardian defines __str__)
    """A whole company on the list: the permission goes to the company's members group."""

    content_object = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, related_name="group_permissions"
    )

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["company", "permission", "content_object"]),
            # An inbox page is an ordered index-only range scan that stops after 51 rows.
            models.Index(
                fields=["company", "permission", "-record_activity_at", "content_object"],
                include=["record_stage", "record_kind", "record_owner", "record_archived"],
                name="sharing_group_inbox_idx",
            ),
        ]


class SharedRecordUserPermission(UserObjectPermissionBase, SharingEntryFields):  # noqa: DJ008 (guardian defines __str__)
    """Named people of a partner company on the list (instead of the whole company)."""

    content_object = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, related_name="user_permissions"
    )

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["user", "company", "permission", "content_object"]),
            # An inbox page is an ordered index-only range scan that stops after 51 rows.
            models.Index(
                fields=["user", "company", "permission", "-record_activity_at", "content_object"],
                include=["record_stage", "record_kind", "record_owner", "record_archived"],
                name="sharing_user_inbox_idx",
            ),
        ]


class ParticipationStatus(models.TextChoices):
    PENDING = "pending", "Not answered yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Participation(models.Model):
    """Each company's own section on a shared record: its part in the deal and its answer.
    Exists while the company is on the list (the owner always has one)."""

    record = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, related_name="participations"
    )
    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    deal_role = models.CharField(max_length=12, choices=DealRole.choices, blank=True)
    # The owner set this company's part in the deal: the participant can no longer change it,
    # and the owner's field policy reads it (a part the participant chose itself does not
    # widen what it sees).
    deal_role_set_by_owner = models.BooleanField(default=False)
    # Fields the owner's sharing policy withholds from this company (sharing.records.withholding);
    # computed in the owner's schema whenever the entry, the policy or the partner type changes.
    withheld = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ParticipationStatus.choices, default=ParticipationStatus.PENDING
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_step = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "company"], name="participation_one_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} on {self.record}"


class ActivityEvent(models.Model):
    """The feed of a shared record. Who may read an event follows the record's visibility
    rules (restricted records show a participant only the owner's and its own events)."""

    record = models.ForeignKey(SharedRecord, on_delete=models.CASCADE, related_name="activity")
    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["record", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.verb} on {self.record_id}"


class Comment(models.Model):
    """A comment in a shared record's thread: everyone who can see the record (and, under
    restricted visibility, only the owner and the author's company) reads it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(SharedRecord, on_delete=models.CASCADE, related_name="comments")
    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    mentions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["record", "created_at"])]

    def __str__(self) -> str:
        return self.body[:50]


class Notification(models.Model):
    """One thing one person should know, in the context of one of their companies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "company", "read_at"])]

    def __str__(self) -> str:
        return self.message


class PartnerInvitation(models.Model):
    """An e-mail invitation to a company that is not on the network yet. Redeeming it (by
    signing a company up, or with an existing company) opens a pending partnership."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    inviter = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    company_name = models.CharField(max_length=120, blank=True)
    message = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.inviter} invites {self.email}"


class DirectoryListing(models.Model):
    """A solution a company chose to show on its public profile (every company on the network
    sees it). Written only by the publish step; withdrawn when the owner unlists it."""

    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="listings"
    )
    source_id = models.UUIDField()
    name = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "source_id"], name="listing_one_per_source")
        ]

    def __str__(self) -> str:
        return self.name
