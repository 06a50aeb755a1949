"""Detail pages keep a constant number of queries however much is on them."""

import pytest

from sharing.records.services.sharing import sharing_entry_set
from tests.builders import client_on, company_make
from tests.sharing.helpers import (
    membership,
    opportunity_make,
    partners_make,
    plan_make,
    solution_make,
)


@pytest.mark.django_db
def test_record_detail_pages_have_bounded_queries(acme, django_assert_max_num_queries):
    opportunity = opportunity_make(acme)
    solution = solution_make(acme)
    plan, _ = plan_make(acme)
    client = client_on(acme.host, acme.member)
    client.post(
        f"/marketing/{plan.pk}/campaigns/",
        {
            "name": "Extra",
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-02",
            "target_leads": "1",
            "target_pipeline": "0",
        },
    )
    for letter in "abcdef":
        partner = company_make(f"qb-{letter}")
        partners_make(acme, partner)
        client.post(
            f"/pipeline/{opportunity.pk}/share/",
            {"partner": partner.company.slug, "role": "viewer"},
        )
        client.post(
            f"/solutions/{solution.pk}/share/", {"partner": partner.company.slug, "role": "viewer"}
        )
        client.post(
            f"/marketing/{plan.pk}/share/", {"partner": partner.company.slug, "role": "viewer"}
        )
    for path in (
        f"/pipeline/{opportunity.pk}/",
        f"/solutions/{solution.pk}/",
        f"/marketing/{plan.pk}/",
        "/partners/directory/qb-a/",
    ):
        # 16 + the business schema: the record type's fields, the sharing policy; + the
        # partners' parts in the deal and the shares waiting for approval
        with django_assert_max_num_queries(20):
            assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_shared_record_page_queries_do_not_grow_with_participants(
    acme, globex, django_assert_max_num_queries
):
    from tests.sharing.helpers import shared_opportunity_make

    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    client = client_on(globex.host, globex.member)
    client.get(f"/shared/{record.pk}/")
    for letter in "abcdefgh":
        other = company_make(f"qbp-{letter}")
        partners_make(acme, other)
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=other.company,
            role="viewer",
        )
        client_on(other.host, other.member).post(
            f"/shared/{record.pk}/comments/", {"body": f"hello {letter}"}
        )
    # routing, user, membership, record, sharing list (one UNION ALL), sections, activity,
    # adopted?, comments, internal notes, unread count, colleagues for the contact picker, and
    # (once per company and connection change, then cached) whether its CRM takes deals
    with django_assert_max_num_queries(13):
        assert client.get(f"/shared/{record.pk}/").status_code == 200
