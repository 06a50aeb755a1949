"""Fixtures: one network with two companies is built once per test session (schemas cloned from
the template, never migrated per test); each test runs in a transaction that is rolled back."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tests.builders import CompanyWorld, client_on, company_make, network_make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        network_make(pool_size=2)
        company_make("acme", "Acme Robotics")
        company_make("globex", "Globex Corporation")
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_after_test():  # type: ignore[no-untyped-def]
    """Requests to a company host leave the connection in its schema, and rate-limit counters
    live in the cache; start every test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _tasks_eager_after_test():  # type: ignore[no-untyped-def]
    """A test with a real worker switches eager tasks off; if it left them off, every later
    test in its process would queue work nobody runs and fail far from the cause."""
    from ecosystem.celery import app

    yield
    assert app.conf.task_always_eager, "a test left Celery's tasks queued instead of eager"


def _world(slug: str) -> CompanyWorld:
    from identity.models import User
    from tenants.models import Company

    company = Company.objects.get(slug=slug)
    return CompanyWorld(
        company=company,
        owner=User.objects.get(email=f"owner@{slug}.test"),
        admin=User.objects.get(email=f"admin@{slug}.test"),
        member=User.objects.get(email=f"member@{slug}.test"),
    )


@pytest.fixture
def acme(db) -> CompanyWorld:  # type: ignore[no-untyped-def]
    return _world("acme")


@pytest.fixture
def globex(db) -> CompanyWorld:  # type: ignore[no-untyped-def]
    return _world("globex")


@pytest.fixture
def partnered(acme, globex):  # type: ignore[no-untyped-def]
    """The two-company world most data tests need: Acme and Globex, active partners (a test
    then shows what crosses between them and what does not)."""
    from tests.sharing.helpers import partners_make

    partners_make(acme, globex)
    return acme, globex


@pytest.fixture
def network_client(db):  # type: ignore[no-untyped-def]
    return client_on(settings.BASE_DOMAIN)


@pytest.fixture
def rate_limits(settings):  # type: ignore[no-untyped-def]
    """The attempt limits production runs with (the test settings switch them off, because
    hundreds of tests sign in from one address)."""
    from ecosystem.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    return base.ACCOUNT_RATE_LIMITS


@pytest.fixture(scope="session")
def _local_dns():  # type: ignore[no-untyped-def]
    from tests.idp.dns import LocalDns

    server = LocalDns()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dns_zone(_local_dns, settings):  # type: ignore[no-untyped-def]
    """A real DNS server on the loopback interface; domain verification asks it. The test
    publishes TXT records with dns_zone.publish(name, value)."""
    settings.DNS_RESOLVER = f"127.0.0.1:{_local_dns.port}"
    _local_dns.zone.records.clear()
    yield _local_dns.zone
    _local_dns.zone.records.clear()


@pytest.fixture(scope="session")
def oidc_idp():  # type: ignore[no-untyped-def]
    """The real local OpenID Connect provider (npm oidc-provider)."""
    from tests.idp.oidc import LocalOidcProvider

    provider = LocalOidcProvider()
    provider.start()
    yield provider
    provider.stop()
