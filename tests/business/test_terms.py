"""Each company reads the network's canonical values (stages, motions, partner roles) in its
own words: its pipeline, and what partners share with it."""

import pytest
from django_tenants.utils import schema_context

from business.models import Term
from sharing.records.services.sharing import sharing_entry_set
from tests.builders import client_on
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make


def _rename(world, vocabulary: str, key: str, label: str) -> None:  # type: ignore[no-untyped-def]
    admin = client_on(world.host, world.admin)
    with schema_context(world.company.schema_name):
        term = Term.objects.get(vocabulary__key=vocabulary, key=key)
    response = admin.post(f"/settings/vocabularies/{vocabulary}/terms/{term.pk}/", {"label": label})
    assert response.status_code == 302


@pytest.mark.django_db
def test_partners_see_a_shared_record_in_their_own_stage_names(acme, globex):
    _rename(acme, "stages", "qualify", "Qualified lead")
    _rename(globex, "stages", "qualify", "Discovery")
    _rename(globex, "motions", "sell_with", "Co-sell")
    partners_make(acme, globex)
    deal, record = shared_opportunity_make(acme, stage="qualify")
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    owner_view = client_on(acme.host, acme.member)
    assert "Qualified lead" in owner_view.get(f"/pipeline/{deal.pk}/").content.decode()
    assert "Qualified lead" in owner_view.get("/pipeline/").content.decode()
    assert (
        'value="qualify">Qualified lead</option>'
        in owner_view.get("/pipeline/new/").content.decode()
    )
    # "view as" shows what globex receives, in acme's words: globex's names are its own
    preview = owner_view.get(f"/pipeline/{deal.pk}/preview/globex/").content.decode()
    assert "Qualified lead" in preview
    assert "Discovery" not in preview and "Co-sell" not in preview
    partner_view = client_on(globex.host, globex.member)
    page = partner_view.get(f"/shared/{record.pk}/").content.decode()
    assert "Discovery" in page and "Co-sell" in page and "Qualified lead" not in page
    assert "Discovery" in partner_view.get("/shared/").content.decode()
    # the stored value stays canonical: the network copy and both records say "qualify"
    record.refresh_from_db()
    assert record.stage == "qualify" and record.payload["stage"] == "qualify"


@pytest.mark.django_db
def test_canonical_vocabularies_are_renamed_not_extended_or_retired(acme):
    admin = client_on(acme.host, acme.admin)
    with schema_context(acme.company.schema_name):
        won = Term.objects.get(vocabulary__key="stages", key="won")
        count = Term.objects.filter(vocabulary__key="stages").count()
    page = admin.get("/settings/vocabularies/stages/").content.decode()
    assert 'data-testid="canonical-note"' in page and "Add term" not in page
    admin.post("/settings/vocabularies/stages/", {"label": "Pilot", "key": "pilot"})
    response = admin.post(f"/settings/vocabularies/stages/terms/{won.pk}/retire/", follow=True)
    assert "The network&#x27;s values are fixed" in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert Term.objects.filter(vocabulary__key="stages").count() == count
        assert Term.objects.get(pk=won.pk).retired_at is None


@pytest.mark.django_db
def test_a_partner_maps_a_shared_field_to_its_own_and_reads_it_in_its_terms(acme, globex):
    from audit.company.models import AuditEntry
    from business.models import PartnerFieldMapping
    from tests.business.helpers import field_make

    field_make(
        acme,
        key="region",
        label="Region",
        field_type="choice",
        vocabulary="regions",
        shareable=True,
    )
    territory = field_make(
        globex, key="territory", label="Territory", field_type="choice", vocabulary="regions"
    )
    _rename(globex, "regions", "emea", "Europe")
    partners_make(acme, globex)
    deal, record = shared_opportunity_make(acme, custom={"region": "emea"})
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    partner_admin = client_on(globex.host, globex.admin)
    partner_page = client_on(globex.host, globex.member)
    before = partner_page.get(f"/shared/{record.pk}/").content.decode()
    assert "Region" in before and "Europe, Middle East &amp; Africa" in before
    listing = partner_admin.get("/settings/mappings/").content.decode()
    assert "Region" in listing and "region" in listing and "Acme" in listing
    response = partner_admin.post(
        "/settings/mappings/",
        {"partner_id": acme.company.pk, "partner_key": "region", "field": territory.pk},
    )
    assert response.status_code == 302
    with schema_context(globex.company.schema_name):
        assert PartnerFieldMapping.objects.get().field_id == territory.pk
        assert AuditEntry.objects.filter(action="business.partner_field_mapped").exists()
    after = partner_page.get(f"/shared/{record.pk}/").content.decode()
    fields = after[after.index('data-testid="shared-fields"') :]
    assert "Territory" in fields and "Europe<" in fields and "Middle East" not in fields
    # the owner still reads its own label; the network copy is unchanged
    assert (
        "Region" in client_on(acme.host, acme.member).get(f"/pipeline/{deal.pk}/").content.decode()
    )
    record.refresh_from_db()
    assert record.payload["custom"][0]["label"] == "Region"
    # a member who is not an admin can't change mappings
    member_post = partner_page.post(
        "/settings/mappings/", {"partner_id": acme.company.pk, "partner_key": "region", "field": ""}
    )
    assert member_post.status_code == 403


@pytest.mark.django_db
def test_a_rename_shows_at_once_even_after_the_labels_were_cached(acme):
    from tests.sharing.helpers import opportunity_make

    deal = opportunity_make(acme, stage="negotiate")
    member = client_on(acme.host, acme.member)
    assert "Negotiate" in member.get(f"/pipeline/{deal.pk}/").content.decode()  # cached now
    _rename(acme, "stages", "negotiate", "Commercials")
    assert "Commercials" in member.get(f"/pipeline/{deal.pk}/").content.decode()
