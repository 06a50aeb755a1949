"""The company's private record of a partner (company schema). The partnership itself (the
edge both companies see) lives in the network; how *we* see the partner lives here."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class PartnerRelationship(models.Model):
    # this kind's key in the record-kind registry (kinds), stored wherever a kind is named
    kind_key = "partner"
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A network company (public schema); a logical reference, like every company-schema row.
    partner_id = models.BigIntegerField(unique=True)
    # A term key of the company's own "partner_types" vocabulary; the sharing and approval
    # policies read it, so only admins change it.
    partner_type = models.CharField(max_length=40, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(blank=True)
    custom = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["partner_type"]),
            GinIndex(
                fields=["custom"], opclasses=["jsonb_path_ops"], name="relationship_custom_gin"
            ),
        ]

    def __str__(self) -> str:
        return f"relationship with company {self.partner_id}"
