"""Global users: one login across the whole network, whatever companies they belong to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.db import models
from django.utils import timezone

from identity.scopes import scopes_permit


class UserManager(DjangoBaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """E-mail is the login. Staff users are platform operators (Django admin on the base
    domain), never a company's admins: company roles live on Membership."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    # an integration's identity (identity.models.ServiceAccount), never a person: it has no
    # password, receives no e-mail and is not listed among a company's people
    is_service_account = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = (self.full_name or self.email).replace("@", " ").split()
        return "".join(p[0] for p in parts[:2]).upper()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.display_name


class PersonalAccessToken(models.Model):
    """An API token for one person in one company. Only a SHA-256 digest of the secret is
    stored; the secret is shown once. Scoped to the company it was made in (a token minted at
    Acme does nothing on Globex's host, even for someone in both)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # identity.scopes: what this token may do. A service account's tokens use the account's
    # scopes (changed in one place, effective on the next request).
    scopes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def granted_scopes(self) -> list[str]:
        if self.user.is_service_account:
            return list(self.user.service_account.scopes)
        return list(self.scopes)

    def permits(self, family: str | None, method: str) -> bool:
        """Whether this token may call an API view of `family` with `method`
        (tenants.api.IsCompanyMember asks, duck-typed, so tenants needs no identity import)."""
        return scopes_permit(self.granted_scopes, family=family, method=method)


class SignupIntent(models.Model):
    """The workspace a person asked for when signing up, kept until they prove their e-mail.

    Sign-up answers "check your e-mail" whether or not the address already has an account,
    so it cannot tell who is registered; the company is created only once the code from the
    e-mail is entered (identity.signup), which also means an unverified sign-up never holds a
    workspace address. The partner invitation the person arrived with travels along."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="signup_intent")
    company_name = models.CharField(max_length=120)
    company_slug = models.CharField(max_length=40)
    partner_invitation = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.company_name} ({self.company_slug}) for {self.user_id}"
