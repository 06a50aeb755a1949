"""Reads about the partner network: partnerships, partners and the directory."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from sharing.models import (
    OPEN_STATUSES,
    Partnership,
    PartnershipStatus,
)
from tenants.models import Company, CompanyStatus


def partnerships_of_company(*, company: Company, statuses=None) -> QuerySet[Partnership]:
    qs = Partnership.objects.filter(Q(requester=company) | Q(addressee=company))
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return qs.select_related("requester", "addressee", "invited_by").order_by("-created_at")


def partnership_get_for_company(*, company: Company, pk: uuid.UUID | str) -> Partnership:
    """A partnership `company` is part of; 404 for missing and for other companies' alike."""
    try:
        return partnerships_of_company(company=company).get(pk=pk)
    except (Partnership.DoesNotExist, ValueError, ValidationError) as exc:  # malformed id = missing
        raise Http404("No such partnership.") from exc


def partnership_open_between(*, company: Company, other: Company) -> Partnership | None:
    return (
        Partnership.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(requester=company, addressee=other) | Q(requester=other, addressee=company))
        .first()
    )


def active_partner_ids(*, company: Company) -> set[int]:
    rows = (
        Partnership.objects.filter(status=PartnershipStatus.ACTIVE)
        .filter(Q(requester=company) | Q(addressee=company))
        .values_list("requester_id", "addressee_id")
    )
    return {a if b == company.pk else b for a, b in rows}


def directory_companies(
    *, company: Company, query: str = "", offering: str = ""
) -> QuerySet[Company]:
    """Companies on the network other than `company`, for finding partners."""
    qs = Company.objects.filter(status=CompanyStatus.ACTIVE).exclude(pk=company.pk)
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(description__icontains=query)
            | Q(industries__icontains=[query])
            | Q(regions__icontains=[query])
        )
    if offering:
        qs = qs.filter(offerings__contains=[offering])
    return qs.order_by("name")


def directory_company_get(*, slug: str) -> Company:
    company = Company.objects.filter(status=CompanyStatus.ACTIVE, slug=slug).first()
    if company is None:
        raise Http404("No such company.")
    return company


def partnership_statuses_with(*, company: Company, others: list[Company]) -> dict[int, Partnership]:
    """For each of `others`, the open partnership with `company` (if any), in one query."""
    ids = [o.pk for o in others]
    found = Partnership.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(requester=company, addressee_id__in=ids) | Q(addressee=company, requester_id__in=ids)
    )
    return {p.addressee_id if p.requester_id == company.pk else p.requester_id: p for p in found}


def active_partners(*, company: Company) -> QuerySet[Company]:
    """The companies `company` partners with now, in one query (an id union over the two
    indexed sides, not an OR across joins)."""
    active = Partnership.objects.filter(status=PartnershipStatus.ACTIVE)
    ids = (
        active.filter(requester=company)
        .values("addressee_id")
        .union(active.filter(addressee=company).values("requester_id"))
    )
    return Company.objects.filter(pk__in=ids).order_by("name")
