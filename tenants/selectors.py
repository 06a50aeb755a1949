"""Reads about companies and memberships."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from tenants.models import Company, CompanyStatus, Domain, Membership
from tenants.people import User


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, company__status=CompanyStatus.ACTIVE)
        .select_related("company")
        .order_by("company__name")
    )


def membership_of_user_in(*, user: User, company: Company) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, company=company).select_related("company").first()


def company_get_for_member(*, user: User, slug: str) -> Company:
    """The company with this slug if `user` belongs to it; 404 for missing and not-yours alike."""
    company = (
        Company.objects.active().filter(slug=slug, memberships__user=user).first()
        if user.is_authenticated
        else None
    )
    if company is None:
        raise Http404("No such workspace.")
    return company


def members_of_company(*, company: Company) -> QuerySet[Membership]:
    """The company's people; its service accounts (integrations) are managed on their own page
    and are not offered as owners, assignees or managers."""
    return (
        Membership.objects.filter(company=company, user__is_service_account=False)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def membership_get_in_company(*, company: Company, pk: int) -> Membership:
    membership = (
        Membership.objects.filter(company=company, pk=pk, user__is_service_account=False)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def member_counts_of_company(*, company: Company) -> dict[str, int]:
    """How many members a company has, in total and with admin rights (owners count)."""
    by_role = dict(
        Membership.objects.filter(company=company, user__is_service_account=False)
        .values_list("role")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "members": sum(by_role.values()),
        "admins": by_role.get("owner", 0) + by_role.get("admin", 0),
    }


def first_owner_id(*, company: Company) -> int | None:
    """The company's longest-standing owner (a person): who owns what a service account
    brings in (a CRM's accounts and deals) until someone takes it over."""
    return (
        Membership.objects.filter(company=company, role="owner", user__is_service_account=False)
        .order_by("created_at")
        .values_list("user_id", flat=True)
        .first()
    )


def domain_is_registered(host: str) -> bool:
    """Whether the host is one of a company's (where the network may send a browser back)."""
    return (
        Domain.objects.filter(domain=host.lower(), tenant__schema_name__isnull=False)
        .exclude(tenant__schema_name="public")
        .exists()
    )
