"""Every URL a company host serves is closed to other companies' users and to anonymous
visitors: enumerated from the URLconf, so a new endpoint is covered the day it is added."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.middleware import OPEN_PREFIXES
from tenants.models import Membership
from tests.builders import client_on


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str, membership_pk: int) -> str | None:
    """A concrete path for a route, with real ids of the victim company; None for regex routes
    we cannot fill (allauth's key-based links, which are covered by their own flows)."""
    if route.startswith("^") or "(?P" in route:
        return None
    path = (
        route.replace("<int:pk>", str(membership_pk))
        .replace("<slug:slug>", "acme")
        .replace("<str:key>", "x")
        .replace("<uidb36>", "x")
    )
    if "<" in path:
        return None
    return "/" + path


def company_paths(membership_pk: int) -> list[str]:
    paths = []
    for route, _ in _patterns(get_resolver("ecosystem.urls_company")):
        path = _concrete(route, membership_pk)
        if path is not None and not path.startswith(OPEN_PREFIXES):
            paths.append(path)
    return sorted(set(paths))


@pytest.mark.django_db
def test_url_enumeration_finds_the_workspace_endpoints(acme):
    paths = company_paths(1)
    for expected in (
        "/",
        "/settings/members/",
        "/settings/members/1/role/",
        "/api/v1/company/",
        "/switch/acme/",
    ):
        assert expected in paths
    assert len(paths) > 20  # allauth's account pages are in the list too


@pytest.mark.django_db
def test_every_company_url_is_404_for_another_companys_user_and_changes_nothing(acme, globex):
    victim = Membership.objects.get(company=acme.company, user=acme.member)
    client = client_on(acme.host, globex.owner)
    for path in company_paths(victim.pk):
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 404, (method, path, response.status_code)
    victim.refresh_from_db()
    assert victim.role == "member"
    acme.company.refresh_from_db()
    assert acme.company.name == "Acme Robotics"


@pytest.mark.django_db
def test_every_company_url_refuses_anonymous_visitors(acme):
    victim = Membership.objects.get(company=acme.company, user=acme.member)
    client = client_on(acme.host)
    for path in company_paths(victim.pk):
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), path
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
