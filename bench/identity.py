"""Benchmark: identity at network scale.

  discovery  the base domain's login, e-mail step (POST /accounts/login/ with only an address):
             1,000 companies with 5,000 verified domains and a switched-on IdP each; half the
             addresses are on an SSO domain (answered with the IdP redirect page), half are not
             (answered with the password step). Server-side: Django's test client in process,
             the whole middleware stack, no network.
  scim       SCIM bulk provisioning into one company: 1,000 POST /scim/v2/Users, one group
             POSTed with all of them, mapped to a role by the admin (every member's role
             synced), and the whole directory listed 100 at a time.

Usage:  .venv/bin/python bench/identity.py [--companies 1000] [--domains-per-company 5]
                                           [--users 1000] [--lookups 1000]
The database named by BENCH_DATABASE_URL (default: ecosystem_bench_identity on
127.0.0.1:5432) is dropped and recreated. Discovery reads network (public schema) rows only,
so all but one of the 1,000 companies are network rows without a schema of their own; the
company SCIM provisions into is a real one (its own schema, made by company_create).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_against, log, numbered_slug, pct, recreate_database  # noqa: E402

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecosystem_bench_identity"
)


def _summary(name: str, samples: list[float], extra: str = "") -> str:
    import statistics

    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.2f} | "
        f"{pct(samples, 95):.2f} | {max(samples):.2f} | {extra} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--domains-per-company", type=int, default=5)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=1000)
    args = parser.parse_args()

    recreate_database(BENCH_URL)
    django_against(BENCH_URL)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.utils import timezone

    from identity.models import EmailDomain, SsoConnection, User
    from identity.scim.setup import scim_token_issue
    from tenants.models import Company, CompanyStatus, Membership
    from tenants.services.companies import company_create
    from tenants.services.network import network_ensure
    from tenants.services.provisioning import template_ensure

    log("migrating the network schema and the template")
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    network_ensure()
    template_ensure()

    owner = User.objects.create_user("owner@bench-scim.test", "bench-password-1")
    company = company_create(actor=owner, name="Bench SCIM", slug="bench-scim")
    log(f"network rows for {args.companies} companies")
    now = timezone.now()
    others = Company.objects.bulk_create(
        Company(
            schema_name=f"c_bench_{i:05d}",
            name=f"Company {i:04d}",
            slug=numbered_slug("company", i),
            status=CompanyStatus.ACTIVE,
        )
        for i in range(args.companies - 1)
    )
    companies = [company, *others]
    domains = []
    connections = []
    for n, c in enumerate(companies):
        for d in range(args.domains_per_company):
            domains.append(EmailDomain(company=c, domain=f"d{d}-{c.slug}.example", verified_at=now))
        connections.append(
            SsoConnection(
                company=c,
                protocol="oidc",
                name=f"IdP {n}",
                enabled=True,
                oidc_issuer="https://idp.example",
                oidc_client_id="x",
                oidc_client_secret="y",
            )
        )
    EmailDomain.objects.bulk_create(domains, batch_size=2000)
    SsoConnection.objects.bulk_create(connections, batch_size=2000)
    verified = EmailDomain.objects.filter(verified_at__isnull=False).count()
    log(f"{len(companies)} companies, {verified} verified domains")

    # -- discovery ----------------------------------------------------------------------
    network = Client(HTTP_HOST=settings.BASE_DOMAIN)
    network.get("/accounts/login/")  # warm up: templates, URL resolvers
    rng = random.Random(7)
    sso_samples, password_samples, queries = [], [], []
    settings.DEBUG = True  # count queries
    for i in range(args.lookups):
        if i % 2 == 0:
            domain = rng.choice(domains).domain
            email = f"person{i}@{domain}"
        else:
            email = f"person{i}@nobody-{i}.example"
        reset_queries()
        t0 = time.perf_counter()
        response = network.post("/accounts/login/", {"login": email})
        elapsed = (time.perf_counter() - t0) * 1000
        queries.append(len(connection.queries))
        assert response.status_code == 200, response.status_code
        page = response.content.decode()
        if i % 2 == 0:
            assert "/sso/" in page and "/start/" in page, "an SSO domain did not go to its IdP"
            sso_samples.append(elapsed)
        else:
            assert 'type="password"' in page, "an unknown domain did not get the password step"
            password_samples.append(elapsed)
    settings.DEBUG = False

    # -- SCIM ---------------------------------------------------------------------------
    # the directory vouches only for addresses on the company's verified domains
    EmailDomain.objects.create(company=company, domain="bench-scim.test", verified_at=now)
    token = scim_token_issue(
        actor=owner,
        actor_membership=Membership.objects.get(company=company, user=owner),
        company=company,
    )
    scim = Client(HTTP_HOST=f"bench-scim.{settings.BASE_DOMAIN}")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    kind = "application/scim+json"
    log(f"SCIM: provisioning {args.users} users")
    post_samples = []
    ids = []
    started = time.perf_counter()
    for i in range(args.users):
        body = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": f"user{i:05d}@bench-scim.test",
            "externalId": f"00u{i:05d}",
            "name": {"givenName": f"Given{i}", "familyName": f"Family{i}"},
            "emails": [{"value": f"user{i:05d}@bench-scim.test", "primary": True}],
            "active": True,
        }
        t0 = time.perf_counter()
        response = scim.post("/scim/v2/Users", json.dumps(body), content_type=kind, **auth)
        post_samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    users_seconds = time.perf_counter() - started

    t0 = time.perf_counter()
    response = scim.post(
        "/scim/v2/Groups",
        json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Everyone",
                "members": [{"value": pk} for pk in ids],
            }
        ),
        content_type=kind,
        **auth,
    )
    group_ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 201, response.content
    from identity.models import DirectoryGroup
    from identity.scim.directory import group_role_set

    group = DirectoryGroup.objects.get(pk=response.json()["id"])
    settings.DEBUG = True
    reset_queries()
    t0 = time.perf_counter()
    group_role_set(
        actor=owner,
        actor_membership=Membership.objects.get(company=company, user=owner),
        group=group,
        role="admin",
    )
    role_ms = (time.perf_counter() - t0) * 1000
    role_queries = len(connection.queries)
    settings.DEBUG = False

    list_samples = []
    start = 1
    while True:
        t0 = time.perf_counter()
        page = scim.get(f"/scim/v2/Users?startIndex={start}&count=100", **auth).json()
        list_samples.append((time.perf_counter() - t0) * 1000)
        start += page["itemsPerPage"]
        if start > page["totalResults"]:
            break
    members = Membership.objects.filter(company=company, user__is_service_account=False).count()
    assert members == args.users + 1, members

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PostgreSQL {pg_version}"
    )
    print(
        f"Network: {len(companies)} companies, {verified} verified domains, "
        f"{len(connections)} switched-on IdPs"
    )
    print("| step | runs | p50 ms | p95 ms | max ms | notes |")
    print("|---|---|---|---|---|---|")
    print(
        _summary(
            "login discovery: SSO domain → IdP page",
            sso_samples,
            f"{max(queries)} queries at most",
        )
    )
    print(_summary("login discovery: other domain → password step", password_samples))
    print(
        _summary(
            "SCIM POST /Users (one new person each)",
            post_samples,
            f"{args.users} users in {users_seconds:.1f} s = "
            f"{users_seconds * 1000 / args.users:.1f} ms per user",
        )
    )
    print(f"| SCIM POST /Groups with {args.users} members | 1 | {group_ms:.1f} | | | |")
    print(
        f"| the admin maps that group to a role ({args.users} roles change) | 1 | {role_ms:.1f} "
        f"| | | {role_queries} queries |"
    )
    print(_summary("SCIM GET /Users, 100 per page", list_samples))


if __name__ == "__main__":
    main()
