"""Builders for test worlds: companies with people in them. Shared by unit and browser tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.db import connection
from django.test import Client

from identity.models import User
from tenants.domains import company_host
from tenants.models import Company, CompanyStatus, Role
from tenants.services.companies import company_create
from tenants.services.memberships import membership_add
from tenants.services.network import network_ensure
from tenants.services.provisioning import TEMPLATE_SCHEMA, schema_pool_fill, template_ensure

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def user_make(email: str | None = None, full_name: str = "Test Person") -> User:
    """A person whose e-mail is verified, as after sign-up (logins need a verified address)."""
    from allauth.account.models import EmailAddress

    email = email or f"person{next(_seq)}@example.test"
    user = User.objects.create_user(email, PASSWORD, full_name=full_name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@dataclass
class CompanyWorld:
    company: Company
    owner: User
    admin: User
    member: User

    @property
    def host(self) -> str:
        return company_host(self.company.slug)


def company_make(slug: str, name: str | None = None) -> CompanyWorld:
    """A company with an owner, an admin and a member, created through the real services."""
    connection.set_schema_to_public()
    owner = user_make(f"owner@{slug}.test", f"{slug.title()} Owner")
    company = company_create(actor=owner, name=name or slug.title(), slug=slug)
    admin = user_make(f"admin@{slug}.test", f"{slug.title()} Admin")
    member = user_make(f"member@{slug}.test", f"{slug.title()} Member")
    membership_add(actor=owner, company=company, user=admin, role=Role.ADMIN)
    membership_add(actor=owner, company=company, user=member, role=Role.MEMBER)
    return CompanyWorld(company=company, owner=owner, admin=admin, member=member)


def network_make(pool_size: int = 2) -> None:
    connection.set_schema_to_public()
    network_ensure()
    template_ensure()
    schema_pool_fill(size=pool_size)


def network_rows_restore(pool_size: int = 1) -> None:
    """After a transactional test flushed the tables: the network's rows again, without
    migrating anything. The session built and migrated the template schema once and a flush
    leaves schemas alone, so its row is put back as it was; the pool is refilled by cloning."""
    connection.set_schema_to_public()
    network_ensure()
    if not Company.objects.filter(status=CompanyStatus.TEMPLATE).exists():
        Company.objects.create(schema_name=TEMPLATE_SCHEMA, status=CompanyStatus.TEMPLATE)
    schema_pool_fill(size=pool_size)


def client_on(host: str, user: User | None = None) -> Client:
    """A test client that talks to one of our hosts (Python cannot resolve *.localhost, so the
    Host header carries it)."""
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client
