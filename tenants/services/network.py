"""The network's own rows: the public tenant and its domain. Idempotent, run on every deploy."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from tenants.models import Company, CompanyStatus, Domain


def network_ensure() -> Company:
    with transaction.atomic():
        public, _ = Company.objects.get_or_create(
            schema_name=settings.PUBLIC_SCHEMA_NAME,
            defaults={"status": CompanyStatus.PUBLIC, "name": "Ecosystem Cloud"},
        )
        Domain.objects.get_or_create(
            domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True}
        )
    return public
