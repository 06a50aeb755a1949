"""Host → company lookups for the routing middleware, cached.

Every request on a company's host starts with this lookup; from the cache it costs one cache
read instead of two database round trips (switching to the public schema, then the query).
Entries are dropped when a company or domain changes — after the commit, so a request that
raced the change cannot put the old state back for long — and expire on their own anyway."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from tenants.models import Company, CompanyStatus, Domain
from tenants.schemas import network_schema

TTL_SECONDS = 300
_ROUTABLE = (CompanyStatus.ACTIVE, CompanyStatus.PUBLIC)


def _key(hostname: str) -> str:
    # network-wide (tenants.cache): the same entry whichever schema the connection is in
    return f"network:route:{hostname}"


def company_for_host(hostname: str) -> Company | None:
    """The live company served at `hostname`, or None (unknown host, or not live)."""
    found = cache.get(_key(hostname))
    if found is not None:
        return found
    with network_schema():
        domain = (
            Domain.objects.select_related("tenant")
            .filter(domain=hostname, tenant__status__in=_ROUTABLE)
            .first()
        )
    if domain is None:
        return None  # unknown hosts are not cached: a new company's host works at once
    cache.set(_key(hostname), domain.tenant, TTL_SECONDS)
    return domain.tenant


def forget_company_routes(company_id: int) -> None:
    with network_schema():
        hostnames = list(
            Domain.objects.filter(tenant_id=company_id).values_list("domain", flat=True)
        )
    cache.delete_many([_key(h) for h in hostnames])


def _forget_now_and_after_commit(company_id: int) -> None:
    forget_company_routes(company_id)
    transaction.on_commit(lambda: forget_company_routes(company_id))


def _company_changed(sender, instance: Company, **kwargs) -> None:  # type: ignore[no-untyped-def]
    _forget_now_and_after_commit(instance.pk)


def _domain_changed(sender, instance: Domain, **kwargs) -> None:  # type: ignore[no-untyped-def]
    cache.delete(_key(instance.domain))
    transaction.on_commit(lambda: _domain_forget(instance.domain))


def _domain_forget(hostname: str) -> None:
    cache.delete(_key(hostname))


def connect() -> None:
    post_save.connect(_company_changed, sender=Company, dispatch_uid="route-company-save")
    post_delete.connect(_company_changed, sender=Company, dispatch_uid="route-company-delete")
    post_save.connect(_domain_changed, sender=Domain, dispatch_uid="route-domain-save")
    post_delete.connect(_domain_changed, sender=Domain, dispatch_uid="route-domain-delete")
