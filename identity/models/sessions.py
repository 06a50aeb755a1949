"""Which browser sessions a person has, on which host: what "sign out other sessions",
"sign this member out everywhere" and SSO enforcement act on."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AuthMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    SSO = "sso", "Single sign-on"
    HANDOFF = "handoff", "Signed in on another host"
    INVITATION = "invitation", "Invitation link"
    CODE = "code", "Sign-in code"


class UserSession(models.Model):
    """One Django session of one person. Sessions are per host, so `company` is the company
    whose host the session is on (null: the network's own host). The row is written by
    identity.middleware on the session's first signed-in request and dropped with the session."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    auth_method = models.CharField(max_length=12, choices=AuthMethod.choices)
    # The provider id of the SSO connection that signed the session in (auth_method "sso").
    sso_provider = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "company"]), models.Index(fields=["company"])]

    def __str__(self) -> str:
        return f"session of {self.user_id} on {self.company_id or 'network'}"
