"""Each company's single sign-on: its identity providers, the e-mail domains it proved it
owns, and whether its members must use SSO."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.models import Role
from vault.fields import EncryptedTextField


class SsoProtocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


def _provider_id() -> str:
    return secrets.token_hex(6)


class SsoConnection(models.Model):
    """One identity provider of one company, turned into an allauth app at runtime
    (identity.sso.apps). `provider_id` is stable and unique network-wide, so a social account
    linked through one company's IdP never matches another company's connection, even for
    the same IdP entity id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="sso_connections"
    )
    protocol = models.CharField(max_length=4, choices=SsoProtocol.choices)
    name = models.CharField(max_length=80)
    provider_id = models.CharField(max_length=40, unique=True, default=_provider_id)
    enabled = models.BooleanField(default=False)
    default_role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The claim / attribute holding the person's groups, and [{"group": ..., "role": ...}]
    groups_attribute = models.CharField(max_length=120, default="groups")
    role_rules = models.JSONField(default=list, blank=True)
    # OpenID Connect
    oidc_issuer = models.URLField(blank=True)
    oidc_client_id = models.CharField(max_length=255, blank=True)
    oidc_client_secret = EncryptedTextField(blank=True)
    # SAML 2.0 (what the metadata said, or what the admin typed)
    saml_metadata_url = models.URLField(blank=True)
    saml_entity_id = models.CharField(max_length=500, blank=True)
    saml_sso_url = models.URLField(max_length=500, blank=True)
    saml_x509cert = models.TextField(blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    test_result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["company", "enabled"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_protocol_display()})"

    @property
    def test_passed(self) -> bool:
        return bool(self.tested_at and self.test_result.get("ok"))


class EmailDomain(models.Model):
    """An e-mail domain a company claims. Verified once a DNS TXT record with its token is
    found; only verified domains are trusted for SSO, and a domain is verified by one company
    at most."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(max_length=253)
    token = models.CharField(max_length=64, default=secrets.token_urlsafe)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["company", "domain"], name="email_domain_once"),
            models.UniqueConstraint(
                fields=["domain"],
                condition=Q(verified_at__isnull=False),
                name="email_domain_verified_once",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def txt_value(self) -> str:
        return f"ecosystem-cloud-verification={self.token}"


class SsoPolicy(models.Model):
    """Whether a company's members must sign in through its IdP, and who may still use a
    password (break-glass owners, for when the IdP is down)."""

    company = models.OneToOneField(
        "tenants.Company", on_delete=models.CASCADE, primary_key=True, related_name="sso_policy"
    )
    required = models.BooleanField(default=False)
    break_glass = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"SSO {'required' if self.required else 'optional'} at {self.company_id}"
