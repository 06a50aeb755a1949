"""Provisioning: companies come from a pool of cloned schemas, never from running migrations."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists

from audit.company.models import AuditEntry
from audit.models import AuditEvent
from tenants.models import Company, CompanyStatus, Domain, Membership, Role
from tenants.services.companies import company_create
from tenants.services.provisioning import TEMPLATE_SCHEMA, schema_pool_fill
from tests.builders import user_make
from workspace.models import WorkspaceSettings


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_company_create_claims_a_pooled_schema_without_ddl(acme):
    pooled = Company.objects.filter(status=CompanyStatus.POOLED).order_by("id").first()
    assert pooled is not None
    owner = user_make()
    with CaptureQueriesContext(connection) as ctx:
        company = company_create(actor=owner, name="Initech", slug="initech")
    sql = " ".join(q["sql"].upper() for q in ctx.captured_queries)
    assert "CREATE TABLE" not in sql and "CLONE_SCHEMA" not in sql and "CREATE SCHEMA" not in sql
    assert company.pk == pooled.pk
    assert company.schema_name == pooled.schema_name
    assert company.status == CompanyStatus.ACTIVE
    assert Domain.objects.get(tenant=company).domain == "initech.localhost"
    assert Membership.objects.get(company=company).role == Role.OWNER
    assert AuditEvent.objects.filter(company=company, action="company.created").exists()


@pytest.mark.django_db
def test_empty_pool_falls_back_to_cloning_the_template(acme):
    Company.objects.filter(status=CompanyStatus.POOLED).update(status=CompanyStatus.SUSPENDED)
    company = company_create(actor=user_make(), name="Hooli", slug="hooli")
    assert schema_exists(company.schema_name)
    assert _tables(company.schema_name) == _tables(TEMPLATE_SCHEMA)
    # migrations history came along with the clone, so migrate_schemas sees it as current
    with schema_context(company.schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'workspace'")
        assert cursor.fetchone()[0] >= 2


@pytest.mark.django_db
def test_failed_signup_puts_the_schema_back_in_the_pool(acme):
    pooled_before = set(
        Company.objects.filter(status=CompanyStatus.POOLED).values_list("pk", flat=True)
    )
    owner = user_make()
    with pytest.raises(RuntimeError), transaction.atomic():
        company_create(actor=owner, name="Doomed", slug="doomed")
        raise RuntimeError("something after the company failed")
    assert not Company.objects.filter(slug="doomed").exists()
    assert (
        set(Company.objects.filter(status=CompanyStatus.POOLED).values_list("pk", flat=True))
        == pooled_before
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("acme", "already taken"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("Bad Slug!", "lowercase letters"),
        ("-edge", "lowercase letters"),
        ("", "Choose a web address"),
    ],
)
def test_bad_slugs_are_refused_with_a_clear_message_and_nothing_is_created(acme, slug, message):
    counts = (Company.objects.count(), Membership.objects.count(), Domain.objects.count())
    with pytest.raises(ValidationError) as exc:
        company_create(actor=user_make(), name="Somebody", slug=slug)
    assert message in " ".join(exc.value.messages)
    assert (Company.objects.count(), Membership.objects.count(), Domain.objects.count()) == counts


@pytest.mark.django_db
def test_pool_fill_tops_up_to_size_only(acme):
    pooled = Company.objects.filter(status=CompanyStatus.POOLED).count()
    assert schema_pool_fill(size=pooled) == 0
    assert schema_pool_fill(size=pooled + 1) == 1
    newest = Company.objects.filter(status=CompanyStatus.POOLED).order_by("-id").first()
    assert _tables(newest.schema_name) == _tables(TEMPLATE_SCHEMA)


@pytest.mark.django_db
def test_template_and_pool_are_unreachable_by_host(acme, client):
    assert not Domain.objects.filter(
        tenant__status__in=[CompanyStatus.TEMPLATE, CompanyStatus.POOLED]
    ).exists()


@pytest.mark.django_db
def test_company_audit_log_is_append_only_in_cloned_schemas(acme):
    with schema_context(acme.company.schema_name):
        entry = AuditEntry.objects.create(action="test.entry")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db
def test_network_audit_log_is_append_only(acme):
    event = AuditEvent.objects.filter(company=acme.company).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
def test_each_company_schema_holds_only_its_own_rows(acme, globex):
    with schema_context(acme.company.schema_name):
        WorkspaceSettings.objects.update_or_create(
            singleton=True, defaults={"default_currency": "EUR"}
        )
    with schema_context(globex.company.schema_name):
        assert not WorkspaceSettings.objects.filter(default_currency="EUR").exists()
