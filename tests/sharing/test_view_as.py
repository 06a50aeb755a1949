"""'View as' shows the owner what a partner would be shown, and nothing of the partner's own
configuration: it is offered only for companies the record could be shared with (or already
is), answers 404 for any other slug, and never reads the partner's schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from business.mappings import mapping_set
from sharing.models import Partnership, PartnershipStatus
from sharing.records.services.sharing import sharing_entry_set
from tenants.schemas import company_schema
from tests.builders import client_on, company_make
from tests.business.helpers import field_make
from tests.business.test_terms import _rename
from tests.sharing.helpers import (
    membership,
    opportunity_make,
    partners_make,
    plan_make,
    shared_opportunity_make,
    solution_make,
)

ROOT = Path(__file__).resolve().parents[2]


def _kinds(acme):  # type: ignore[no-untyped-def]
    plan, _ = plan_make(acme)
    return {
        "pipeline": opportunity_make(acme).pk,
        "solutions": solution_make(acme).pk,
        "marketing": plan.pk,
    }


@pytest.mark.django_db
def test_view_as_answers_404_for_every_company_we_could_not_share_with(acme, globex):
    invited, ended, declined, stranger = (
        company_make("va-invited"),
        company_make("va-ended"),
        company_make("va-declined"),
        company_make("va-stranger"),
    )
    for other, status in (
        (invited, PartnershipStatus.INVITED),
        (ended, PartnershipStatus.ENDED),
        (declined, PartnershipStatus.DECLINED),
    ):
        Partnership.objects.create(
            requester=acme.company, addressee=other.company, status=status, invited_by=acme.owner
        )
    _rename(stranger, "stages", "qualify", "Stranger-stage-name")
    partners_make(acme, globex)
    client = client_on(acme.host, acme.member)
    for prefix, pk in _kinds(acme).items():
        missing = client.get(f"/{prefix}/{pk}/preview/no-such-company/")
        assert missing.status_code == 404
        for other in (invited, ended, declined, stranger):
            response = client.get(f"/{prefix}/{pk}/preview/{other.company.slug}/")
            assert response.status_code == 404, (prefix, other.company.slug)
            page = response.content.decode()
            # the same page as a slug that names nobody: nothing of the company, nothing of
            # its configuration
            assert other.company.name not in page and "Stranger-stage-name" not in page
            assert _without_tokens(page) == _without_tokens(missing.content.decode())
        assert client.get(f"/{prefix}/{pk}/preview/globex/").status_code == 200


def _without_tokens(page: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"|value="[A-Za-z0-9]{64}"', "", page)


@pytest.mark.django_db
def test_view_as_a_partner_shows_its_fields_in_our_words_never_its_configuration(acme, globex):
    """globex renamed a stage and maps acme's shared field to one of its own: those are
    globex's private configuration, and acme's preview shows neither."""
    partners_make(acme, globex)
    _rename(acme, "stages", "qualify", "Qualified lead")
    _rename(globex, "stages", "qualify", "Globex-private-stage")
    field_make(acme, key="region", field_type="text", label="Region", shareable=True)
    territory = field_make(globex, key="territory", field_type="text", label="Globex-territory")
    with company_schema(globex.company):
        mapping_set(
            actor=globex.owner,
            partner_id=acme.company.pk,
            partner_key="region",
            field_id=territory.pk,
        )
    deal, record = shared_opportunity_make(acme, stage="qualify", custom={"region": "EMEA"})
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    # globex itself reads it in its own words
    partner_page = client_on(globex.host, globex.member).get(f"/shared/{record.pk}/")
    assert "Globex-private-stage" in partner_page.content.decode()
    assert "Globex-territory" in partner_page.content.decode()
    # acme's preview: what globex receives, in acme's words
    preview = client_on(acme.host, acme.member).get(f"/pipeline/{deal.pk}/preview/globex/")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Qualified lead" in page and "EMEA" in page and "Region" in page
    assert "Globex-private-stage" not in page and "Globex-territory" not in page


@pytest.mark.django_db
def test_view_as_a_company_a_manager_added_to_the_list(acme, globex):
    """A participant with the manage role may bring in its own partner when acme allows it;
    acme sees that company on the list and may preview what it is shown."""
    third = company_make("va-third")
    partners_make(acme, globex)
    partners_make(globex, third)
    deal, record = shared_opportunity_make(acme)
    record.participants_may_share = True
    record.save(update_fields=["participants_may_share"])
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="manager",
    )
    sharing_entry_set(
        actor=globex.owner,
        actor_membership=membership(globex),
        record=record,
        partner=third.company,
        role="viewer",
    )
    client = client_on(acme.host, acme.member)
    response = client.get(f"/pipeline/{deal.pk}/preview/va-third/")
    assert response.status_code == 200 and "Va-Third" in response.content.decode()


def test_no_module_switches_schemas_outside_the_two_named_doors():
    """Schema switches live in tenants/schemas.py (own schema, network) and the one crossing
    into a record owner's schema in sharing/records/cross_schema.py; django-tenants' routing
    middleware sets the public schema for unknown hosts."""
    allowed = {"tenants/schemas.py", "tenants/middleware.py"}
    switch = re.compile(
        r"\b(schema_context|tenant_context|set_schema|set_tenant)\b|set_schema_to_public"
    )
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/", ".local/")) or rel in allowed:
            continue
        if "/migrations/" in rel:
            continue
        if switch.search(path.read_text()):
            offenders.append(rel)
    assert offenders == []
    crossing = (ROOT / "sharing/records/cross_schema.py").read_text()
    assert "role_on_record" in crossing and "Http404" in crossing


def test_a_company_enters_another_companys_schema_only_through_the_owner_doors():
    """`company_schema()` is for work done for that company (its own share, its own task, its
    own indexes, the demo that builds it); entering a record owner's schema on behalf of
    someone else goes through sharing/records/cross_schema.py's two named doors."""
    own_work = {
        "business/tasks.py",  # the company's own recompute task
        "business/indexes.py",  # the company's own indexes, after its own change
        "approvals/policy.py",  # the sharer's own company's approval rules
        # the platform's key rotation re-encrypts each company's own secrets in place
        "tenants/management/commands/vault_rotate.py",
        "sharing/records/services/sharing.py",  # the sharer's own company's sharing policy
        "sharing/records/cross_schema.py",  # the doors themselves
        # each company's own CRM sync: the run task and the schedule that queues its runs
        "integrations/sync/runner.py",
        "integrations/tasks.py",
        "integrations/files/tasks.py",  # an import runs in the company of its job
        # each company's own webhook deliveries: the sweep that sends what is due, the purge
        "webhooks/tasks.py",
    }
    callers = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/", ".local/", "ecosystem/demo/")):
            continue
        if "company_schema(" in path.read_text() and rel != "tenants/schemas.py":
            callers.add(rel)
    assert callers == own_work
    doors = (ROOT / "sharing/records/cross_schema.py").read_text()
    assert "def owner_schema_unscoped" in doors and "def record_owner_schema_unscoped" in doors
