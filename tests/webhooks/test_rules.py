"""The rules webhooks stand on, on their own: which addresses are public (edge.addresses), and
what a company reads as a whole (sharing's access function without named entries)."""

from __future__ import annotations

import ipaddress

import pytest

from edge.addresses import AddressUnknown, address_is_public, host_is_public
from sharing.records.access import (
    companies_reading_record,
    shared_records_visible_to,
    shared_records_visible_to_company,
)
from sharing.records.services.sharing import sharing_entry_set
from tenants.models import CompanyStatus
from tests.builders import company_make
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make
from webhooks.catalogue import EVENT_TYPES, KEYS, network_types_of


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud's metadata address
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("2002:0a00:0001::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert address_is_public(ipaddress.ip_address(address)) is public


def test_a_name_is_public_only_if_every_address_is() -> None:
    assert host_is_public("127.0.0.1", 443) is False
    with pytest.raises(AddressUnknown):
        host_is_public("no-such-host.invalid", 443)


def test_the_catalogue_is_one_list_with_unique_keys() -> None:
    assert len(KEYS) == len(EVENT_TYPES) == len(set(KEYS))
    assert network_types_of("sharing.shared", {}) == ["record.shared"]
    assert network_types_of("record.stage_changed", {"after": {"stage": "won"}}) == [
        "record.stage_changed"
    ]
    assert network_types_of(
        "record.stage_changed", {"after": {"stage": "won", "close_date": "2027-01-01"}}
    ) == ["record.stage_changed", "record.updated"]
    assert network_types_of("participation.updated", {}) == []


@pytest.mark.django_db
def test_a_company_as_a_whole_reads_what_its_whole_company_is_on(partnered):
    acme, globex = partnered
    _, whole = shared_opportunity_make(acme, customer_name="Whole Co")
    _, named = shared_opportunity_make(acme, customer_name="Named Co")
    _, private = shared_opportunity_make(acme, customer_name="Private Co")
    for record, users in ((whole, ()), (named, (globex.member,))):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            role="viewer",
            users=users,
        )
    as_company = set(
        shared_records_visible_to_company(company=globex.company).values_list("pk", flat=True)
    )
    # a person with no named entry reads the same; the named one reads one record more
    as_admin = set(
        shared_records_visible_to(user=globex.admin, company=globex.company).values_list(
            "pk", flat=True
        )
    )
    as_member = set(
        shared_records_visible_to(user=globex.member, company=globex.company).values_list(
            "pk", flat=True
        )
    )
    assert as_company == as_admin == {whole.pk}
    assert as_member == {whole.pk, named.pk}
    owned = set(
        shared_records_visible_to_company(company=acme.company).values_list("pk", flat=True)
    )
    assert {whole.pk, named.pk, private.pk} <= owned
    assert {c.pk for c in companies_reading_record(record_id=whole.pk)} == {
        acme.company.pk,
        globex.company.pk,
    }
    assert {c.pk for c in companies_reading_record(record_id=named.pk)} == {acme.company.pk}
    # a company that is not active reads nothing
    globex.company.status = CompanyStatus.SUSPENDED
    assert not shared_records_visible_to_company(company=globex.company).exists()


@pytest.mark.django_db
def test_an_unrelated_company_reads_nothing_of_anothers_records(acme):
    stranger = company_make("wh-stranger")
    _, record = shared_opportunity_make(acme)
    assert (
        not shared_records_visible_to_company(company=stranger.company)
        .filter(pk=record.pk)
        .exists()
    )
    partners_make(acme, stranger)  # partners, but not on the list
    assert (
        not shared_records_visible_to_company(company=stranger.company)
        .filter(pk=record.pk)
        .exists()
    )
