"""Participants at work: their sections, collaborative fields with conflicts, adoption, feed."""

import pytest
from django_tenants.utils import schema_context

from pipeline.models import Opportunity
from sharing.models import Participation
from sharing.records.services.sharing import sharing_entry_set
from tests.builders import client_on, company_make
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make


@pytest.fixture
def deal(acme, globex):
    partners_make(acme, globex)
    opportunity, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    return opportunity, record


@pytest.mark.django_db
def test_contributor_updates_stage_and_the_owners_record_follows(acme, globex, deal):
    opportunity, record = deal
    response = client_on(globex.host, globex.member).post(
        f"/shared/{record.pk}/collaborate/",
        {
            "stage": "negotiate",
            "close_date": "2027-05-01",
            "next_step": "Pricing call",
            "version": record.version,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.stage == "negotiate" and record.payload["next_step"] == "Pricing call"
    with schema_context(acme.company.schema_name):
        mine = Opportunity.objects.get(pk=opportunity.pk)
    assert mine.stage == "negotiate" and str(mine.close_date) == "2027-05-01" and mine.version == 2
    assert (
        "moved the stage"
        in client_on(acme.host, acme.member).get(f"/shared/{record.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_concurrent_collaborative_edits_conflict_with_both_values_shown(acme, globex, deal):
    _, record = deal
    version = record.version
    client_on(acme.host, acme.owner).post(
        f"/shared/{record.pk}/collaborate/", {"next_step": "Owner's plan", "version": version}
    )
    response = client_on(globex.host, globex.member).post(
        f"/shared/{record.pk}/collaborate/", {"next_step": "Partner's plan", "version": version}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert (
        'data-testid="edit-conflict"' in body
        and "Owner&#x27;s plan" in body
        and "Partner&#x27;s plan" in body
    )
    record.refresh_from_db()
    assert record.payload["next_step"] == "Owner's plan"


@pytest.mark.django_db
def test_viewer_cannot_edit_shared_fields_but_can_answer(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    client = client_on(globex.host, globex.member)
    response = client.post(
        f"/shared/{record.pk}/collaborate/",
        {"stage": "lost", "version": record.version},
        follow=True,
    )
    assert b"Viewers cannot edit" in response.content
    record.refresh_from_db()
    assert record.stage == "qualify"
    part = Participation.objects.get(record=record, company=globex.company)
    client.post(f"/shared/{record.pk}/section/", {"status": "accepted", "version": part.version})
    part.refresh_from_db()
    assert part.status == "accepted"
    client.post(
        f"/shared/{record.pk}/section/", {"next_step": "x", "version": part.version}, follow=True
    )
    part.refresh_from_db()
    assert part.next_step == ""


@pytest.mark.django_db
def test_contributor_fills_in_its_section_with_a_colleague_as_contact(acme, globex, deal):
    _, record = deal
    part = Participation.objects.get(record=record, company=globex.company)
    client = client_on(globex.host, globex.member)
    client.post(
        f"/shared/{record.pk}/section/",
        {
            "status": "accepted",
            "deal_role": "fulfilling",
            "contact": globex.admin.pk,
            "next_step": "Scope workshop",
            "version": part.version,
        },
    )
    part.refresh_from_db()
    assert (part.deal_role, part.contact_id, part.next_step) == (
        "fulfilling",
        globex.admin.pk,
        "Scope workshop",
    )
    bad = client.post(
        f"/shared/{record.pk}/section/",
        {"contact": acme.owner.pk, "version": part.version},
        follow=True,
    )
    assert b"The contact must be someone at Globex Corporation" in bad.content
    part.refresh_from_db()
    assert part.contact_id == globex.admin.pk


@pytest.mark.django_db
def test_partner_adopts_into_its_own_pipeline_once(acme, globex, deal):
    _, record = deal
    client = client_on(globex.host, globex.member)
    response = client.post(f"/shared/{record.pk}/adopt/")
    assert response.status_code == 302
    with schema_context(globex.company.schema_name):
        copy = Opportunity.objects.get(adopted_from_id=record.pk)
        assert copy.private_notes == "" and copy.owner_id == globex.member.pk
    again = client.post(f"/shared/{record.pk}/adopt/", follow=True)
    assert b"already in your pipeline" in again.content
    with schema_context(globex.company.schema_name):
        assert Opportunity.objects.filter(adopted_from_id=record.pk).count() == 1


@pytest.mark.django_db
def test_restricted_feed_hides_other_partners(acme, globex):
    third = company_make("rival")
    partners_make(acme, globex)
    partners_make(acme, third)
    _, record = shared_opportunity_make(acme)
    record.restrict_participants = True
    record.save(update_fields=["restrict_participants"])
    for partner in (globex, third):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=partner.company,
            role="contributor",
        )
    client_on(third.host, third.member).post(
        f"/shared/{record.pk}/section/", {"status": "accepted", "version": 1}
    )
    body = client_on(globex.host, globex.member).get(f"/shared/{record.pk}/").content.decode()
    assert "Rival" not in body
    assert (
        "Rival" in client_on(acme.host, acme.member).get(f"/shared/{record.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_detail_page_queries_are_bounded(acme, globex, deal, django_assert_max_num_queries):
    _, record = deal
    for word in ("basalt", "cedar", "dune", "quartz", "willow"):
        other = company_make(f"extra-{word}")
        partners_make(acme, other)
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=other.company,
            role="viewer",
        )
    client = client_on(globex.host, globex.member)
    with django_assert_max_num_queries(25):
        assert client.get(f"/shared/{record.pk}/").status_code == 200
