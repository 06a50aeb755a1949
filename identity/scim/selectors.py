"""Reads of a company's directory for its settings page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from identity.models import DirectoryGroup, DirectoryUser
from tenants.models import Company


def directory_overview(company: Company) -> dict[str, Any]:
    """How many people the directory holds, how many it deactivated and how many wait
    unlinked (outside the verified domains), in one query; and its groups."""
    counts = DirectoryUser.objects.filter(company=company).aggregate(
        people=Count("pk"),
        inactive=Count("pk", filter=Q(active=False)),
        unlinked=Count("pk", filter=Q(user__isnull=True)),
    )
    return {**counts, "groups": list(DirectoryGroup.objects.filter(company=company))}
