"""The approval policy for sharing (company schema). A rule says which shares need approval
and by whom; a request is a share that waits for an approver. Nothing of the record leaves
the company until the request is approved: the publish step runs on approval."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApproverRole(models.TextChoices):
    ADMIN = "admin", "An admin or owner"
    OWNER = "owner", "An owner"


class ApprovalRule(models.Model):
    """Sharing a record of `object_type` needs approval when every condition set here holds:
    its amount (opportunities) or budget (marketing plans) is at least `min_amount`, and the
    partner is of one of `partner_types` (our classification). No condition: every share."""

    name = models.CharField(max_length=80)
    object_type = models.CharField(max_length=20)
    min_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    partner_types = models.JSONField(default=list, blank=True)
    approver_role = models.CharField(
        max_length=10, choices=ApproverRole.choices, default=ApproverRole.ADMIN
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["object_type", "name"]

    def __str__(self) -> str:
        return self.name


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved and shared"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ShareRequest(models.Model):
    """A share that waits for approval: everything needed to carry it out later, and why it
    needed approval. The record is named by kind and its own id in this schema."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20)
    source_id = models.UUIDField()
    title = models.CharField(max_length=200)
    partner_id = models.BigIntegerField()  # a network company
    partner_name = models.CharField(max_length=120)
    role = models.CharField(max_length=12)
    user_ids = models.JSONField(default=list, blank=True)
    deal_role = models.CharField(max_length=12, blank=True)
    reasons = models.JSONField(default=list)
    approver_role = models.CharField(max_length=10, choices=ApproverRole.choices)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_id", "partner_id"],
                condition=Q(status="pending"),
                name="share_request_one_pending_per_partner",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["source_id", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.partner_name} ({self.status})"
