"""A company's accounts: the customers it sells to, typed in or synced from its CRM. Always
private: opportunities carry the customer's name onto the network, never the account."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q


class Account(models.Model):
    # this kind's key in the record-kind registry (kinds), stored wherever a kind is named
    kind_key = "account"
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    # The customer's id in the system an API integration keeps it in; unique among non-blank
    # values (the partial index below). The database default keeps older code working.
    external_id = models.CharField(
        "external id", max_length=255, blank=True, default="", db_default=""
    )
    # Web domains, normalised (lowercase, no scheme, no "www."); the first is the main one.
    # A domain belongs to one open account: opportunities find their account by it.
    domains = ArrayField(models.CharField(max_length=253), default=list, blank=True, size=20)
    # Term keys of the company's own vocabularies (industries, regions, market_units).
    industry = models.CharField(max_length=40, blank=True)
    region = models.CharField(max_length=40, blank=True)
    market_unit = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    # Company-schema rows point at public users logically (no database constraint).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    custom = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["archived_at"]),
            GinIndex(fields=["domains"], name="account_domains_gin"),
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="account_custom_gin"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="account_external_id_uniq",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def domain(self) -> str:
        return self.domains[0] if self.domains else ""

    @property
    def title(self) -> str:
        return self.name
