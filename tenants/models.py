"""Companies (the tenants), their domains and who belongs to them. All in the public schema."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django_tenants.models import DomainMixin, TenantMixin

from tenants.domains import look_alike_keys, name_skeleton, slug_skeleton


class CompanyStatus(models.TextChoices):
    PUBLIC = "public", "Network (public schema)"
    TEMPLATE = "template", "Template schema"
    POOLED = "pooled", "Ready in the pool"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Offering(models.TextChoices):
    """What a company offers as a partner, as it says on its public profile (the directory
    filters by it). Not how a company classifies its partners: that is each company's own
    private `partner_types` vocabulary (partners.relationships)."""

    RESELLER = "reseller", "Reseller"
    REFERRAL = "referral", "Referral partner"
    TECHNOLOGY = "technology", "Technology partner"
    SYSTEM_INTEGRATOR = "system_integrator", "System integrator"
    MSP = "msp", "Managed service provider"
    MARKETPLACE = "marketplace", "Cloud marketplace"
    CONSULTING = "consulting", "Consulting partner"


# Companies that people use; the public, template and pooled rows are the service's own.
REAL_COMPANY_STATUSES = (CompanyStatus.ACTIVE, CompanyStatus.SUSPENDED)


class CompanyQuerySet(models.QuerySet):
    def active(self) -> CompanyQuerySet:
        return self.filter(status=CompanyStatus.ACTIVE)

    def real(self) -> CompanyQuerySet:
        return self.filter(status__in=REAL_COMPANY_STATUSES)


class Company(TenantMixin):
    """A company on the network. Besides real companies the table holds the public tenant,
    the template schema and the pool of ready schemas (status says which), because
    django-tenants' migrate_schemas migrates every row's schema: keeping the template and the
    pool as rows is what keeps them migrated with everybody else."""

    # Provisioning creates and clones schemas itself (tenants.services.provisioning).
    auto_create_schema = False
    auto_drop_schema = True

    name = models.CharField(max_length=120, blank=True)
    slug = models.SlugField(max_length=40, unique=True, null=True, blank=True)
    # What slug and name look like (tenants.domains), kept by save(): a new address or name is
    # refused when its skeleton matches a real company's, in one indexed query. Not unique:
    # companies from before the look-alike policy may share one.
    slug_skeleton = models.CharField(max_length=40, blank=True, default="", db_index=True)
    name_skeleton = models.CharField(max_length=255, blank=True, default="", db_index=True)
    # Both skeletons and their one-letter slips (tenants.domains.look_alike_keys): a new address
    # or name whose keys overlap these is a look-alike (a GIN-indexed overlap query).
    look_alike_keys = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    status = models.CharField(max_length=16, choices=CompanyStatus.choices, db_index=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    industries = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    offerings = ArrayField(
        models.CharField(max_length=30, choices=Offering.choices), default=list, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    # The auth group of the company's members: sharing a record with a whole company gives
    # guardian permissions to this group.
    members_group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="company"
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        indexes = [GinIndex(fields=["look_alike_keys"], name="company_look_alike_gin")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="active") | Q(slug__isnull=False),
                name="company_active_has_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.schema_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug_skeleton = slug_skeleton(self.slug) if self.slug else ""
        self.name_skeleton = name_skeleton(self.name)
        self.look_alike_keys = sorted(
            set(look_alike_keys(self.slug_skeleton)) | set(look_alike_keys(self.name_skeleton))
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"slug", "name"} & set(update_fields):
            derived = {"slug": "slug_skeleton", "name": "name_skeleton"}
            extra = [derived[f] for f in derived if f in update_fields]
            kwargs["update_fields"] = [*update_fields, *extra, "look_alike_keys"]
        super().save(*args, **kwargs)

    def get_offerings_display(self) -> list[str]:
        labels = dict(Offering.choices)
        return [labels.get(value, value) for value in self.offerings]

    @property
    def is_workspace(self) -> bool:
        return self.status == CompanyStatus.ACTIVE


class Domain(DomainMixin):
    pass


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A user's place in a company. Roles govern the company's configuration; what a user may
    see of shared records is decided by the sharing app, not here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField("job title", max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="membership_unique_user_company"
            )
        ]
        indexes = [models.Index(fields=["company", "role"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)


class LoginHandoff(models.Model):
    """A one-time ticket that carries a signed-in user from one of our domains to a company's
    domain (sessions are per host). Valid for a minute, once, for one user and one company."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    next_path = models.CharField(max_length=500, default="/")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"handoff of {self.user_id} to {self.company_id}"
