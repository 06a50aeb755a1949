"""A company's own opportunities (company schema). Most are never shared; a shared one is
linked to its network copy by shared_record_id, and the owner edits it here."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from canonical import Motion, Stage, currency_code


class Opportunity(models.Model):
    # this kind's key in the record-kind registry (kinds), stored wherever a kind is named
    kind_key = "opportunity"
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The deal's own name ("Contoso — 500 seats renewal"): what people and partners see as its
    # title. Blank only on rows written by code older than the column (the database default
    # keeps old code working during a deploy); they read as their customer's name (`title`).
    name = models.CharField("deal name", max_length=200, blank=True, default="", db_default="")
    # The record's id in the system an API integration keeps it in; unique among non-blank
    # values (the partial index below). Each company's schema has its own.
    external_id = models.CharField(
        "external id", max_length=255, blank=True, default="", db_default=""
    )
    # The customer's account (accounts): customer_name and customer_domain follow it, so what
    # partners see of a shared deal names the customer as the account does.
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    customer_name = models.CharField("customer", max_length=200)
    customer_domain = models.CharField("customer domain", max_length=253, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, validators=[currency_code], default="USD")
    close_date = models.DateField()
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PROSPECT)
    motion = models.CharField(max_length=14, choices=Motion.choices, default=Motion.SELL_WITH)
    next_step = models.CharField(max_length=500, blank=True)
    # Company-schema rows point at public users logically (no database constraint), so a
    # network-level user deletion or a test flush never has to reach into every schema.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    private_notes = models.TextField(blank=True)
    # Values of the company's custom fields, keyed by field key (business.values has the shapes).
    custom = models.JSONField(default=dict, blank=True)
    shared_record_id = models.UUIDField(null=True, blank=True, unique=True)
    adopted_from_id = models.UUIDField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["close_date", "name"]
        indexes = [
            models.Index(fields=["stage", "close_date"]),
            models.Index(fields=["owner", "close_date"]),
            models.Index(fields=["archived_at"]),
            GinIndex(
                fields=["custom"], opclasses=["jsonb_path_ops"], name="opportunity_custom_gin"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="opportunity_external_id_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.amount} {self.currency}"

    @property
    def title(self) -> str:
        """What the deal is called on every page and on the network: its name, or its
        customer's for a row saved before deals had names."""
        return self.name or self.customer_name
