"""Reads of a company's own opportunities (the current schema)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from pipeline.models import Opportunity


def opportunities_of_company(*, include_archived: bool = False) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.all()
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def opportunity_get(*, pk: uuid.UUID | str) -> Opportunity:
    """Runs in the company's schema, so another company's opportunity simply isn't there: 404."""
    try:
        return Opportunity.objects.get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, ValidationError) as exc:  # malformed id = missing
        raise Http404("No such opportunity.") from exc
