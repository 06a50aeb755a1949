"""Integrations' own identities: a company's service accounts, so an integration never runs on
a person's token and does not stop when that person leaves."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

SERVICE_DOMAIN = "service-accounts.invalid"  # RFC 2606: never a mailbox; service users' addresses


class ServiceAccountPurpose(models.TextChoices):
    INTEGRATION = "integration", "Integration"
    # the company's directory sync (SCIM); one per company, made from Settings → Provisioning
    SCIM = "scim", "Directory sync (SCIM)"


class ServiceAccount(models.Model):
    """A non-person member of one company. Its `user` is a passwordless User flagged
    `is_service_account`, with a Membership like anyone else's, so every access rule that
    holds for people holds for it; its tokens are PersonalAccessTokens of that user and take
    the account's scopes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="service_accounts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account"
    )
    purpose = models.CharField(
        max_length=12,
        choices=ServiceAccountPurpose.choices,
        default=ServiceAccountPurpose.INTEGRATION,
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    # the person told before the account expires and when its token is rotated
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_notified_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(purpose="scim"),
                name="service_account_one_scim_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (service account)"

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )
